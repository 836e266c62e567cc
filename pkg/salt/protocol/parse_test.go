package protocol_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Each reply the master builds is read back by the salt command's parser.
func TestPublishReplyReadsBack(t *testing.T) {
	pub := protocol.PubLoad(cliLoad(t), exampleJID)
	for _, tc := range []struct {
		name    string
		ret     body.Map
		fun     any
		jid     string
		minions []string
		err     error
		pe      *protocol.PublishError
	}{
		{"sent", protocol.PublishReply(pub, []string{"web1", "web2"}), "test.arg", exampleJID, []string{"web1", "web2"}, nil, nil},
		{"no minions", protocol.NoMinionsReply(), "test.arg", "", nil, protocol.ErrNoMinions, nil},
		{"stale", protocol.PublishReply(pub, []string{"web1"}), "test.ping", "", nil, protocol.ErrStaleReply, nil},
		{"refused", protocol.ErrorReturn(protocol.ErrNameAuthentication, "bad key"), "test.arg", "", nil, nil,
			&protocol.PublishError{Name: "AuthenticationError", Message: "bad key"}},
		{"error as a string", body.Map{{Key: "error", Value: "boom"}}, "x", "", nil, nil, &protocol.PublishError{Message: "boom"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Through the wire, as the client gets it.
			msg := decode(t, pack(t, protocol.Reply("m", "client1", protocol.SharePubRet, tc.ret)))
			ret, ok := protocol.Return(msg)
			if !ok {
				t.Fatalf("no return in %v", msg)
			}
			jid, minions, err := protocol.ParsePublishReply(ret, tc.fun)
			var pe *protocol.PublishError
			switch {
			case tc.pe != nil:
				if !errors.As(err, &pe) || *pe != *tc.pe {
					t.Fatalf("err %v, want %v", err, tc.pe)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			}
			if jid != tc.jid || !slices.Equal(minions, tc.minions) {
				t.Errorf("jid %q minions %v, want %q %v", jid, minions, tc.jid, tc.minions)
			}
		})
	}
	bad := protocol.PublishReply(body.Map{{Key: "jid", Value: "nope"}}, []string{"web1"})
	if _, _, err := protocol.ParsePublishReply(bad, nil); err == nil {
		t.Error("a jid that is not one was taken")
	}
	if _, _, err := protocol.ParsePublishReply(body.Map{}, nil); err == nil {
		t.Error("a reply with nothing in it was taken")
	}
}

func TestPublishRequestReadsBack(t *testing.T) {
	msg := decode(t, pack(t, protocol.PublishRequest("client1", cliLoad(t))))
	load, cmd, ok := protocol.Load(msg)
	if !ok || cmd != protocol.CmdPublish {
		t.Fatalf("load %v cmd %q", load, cmd)
	}
	if err := job.CheckPublish(load); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := protocol.Load(protocol.EventSubscription("e")); ok {
		t.Error("a message with no load has one")
	}
}

// The pub the master builds is read by the minion as the same fields.
func TestPubReadsBack(t *testing.T) {
	load := cliLoad(t)
	load.Set("tgt_type", "list")
	kwargs, _ := load.Map("kwargs")
	kwargs.Set("metadata", body.Map{{Key: "m", Value: int64(1)}})
	load.Set("kwargs", kwargs)
	pub := protocol.PubLoad(load, exampleJID)
	msg := decode(t, pack(t, protocol.PubMessage("master", "web1_minion", pub)))
	got, ok := protocol.PubOf(msg)
	if !ok {
		t.Fatalf("no pub in %v", msg)
	}
	p := protocol.ParsePub(got)
	want := protocol.Pub{Fun: "test.arg", Arg: []any{"foo", body.Map{{Key: "__kwarg__", Value: true}, {Key: "bar", Value: "baz"}}},
		Tgt: "*", Jid: exampleJID, TgtType: "list", User: "root",
		Extra: body.Map{{Key: "metadata", Value: body.Map{{Key: "m", Value: int64(1)}}}}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("ParsePub\n got  %#v\n want %#v", p, want)
	}
}

func TestEventsReadBack(t *testing.T) {
	msg := decode(t, pack(t, protocol.Event("m", protocol.YardManor, "event1", protocol.DeliveredTag(exampleJID, "web1"),
		protocol.DeliveredData(exampleJID, "web1"))))
	tag, ok := protocol.EventTag(msg)
	if !ok {
		t.Fatal("no tag")
	}
	ev, ok := protocol.ParseJobTag(tag)
	if !ok || ev != (protocol.JobEvent{JID: exampleJID, Kind: "delivered", ID: "web1"}) {
		t.Errorf("ParseJobTag(%q) = %v, %v", tag, ev, ok)
	}
	data, _ := protocol.EventData(msg).(body.Map)
	if id, _ := data.String("id"); id != "web1" {
		t.Errorf("data %v", data)
	}
	if id, _ := protocol.EventDataMap(msg).String("id"); id != "web1" {
		t.Errorf("data map %v", protocol.EventDataMap(msg))
	}
	if d := protocol.EventDataMap(protocol.Event("m", "manor", "e", "t", "not a map")); d != nil {
		t.Errorf("data map of a string: %v", d)
	}
	for tag, want := range map[string]protocol.JobEvent{
		"salt/job/" + exampleJID + "/new":         {JID: exampleJID, Kind: "new"},
		"salt/job/" + exampleJID + "/ret/a/b":     {JID: exampleJID, Kind: "ret", ID: "a/b"},
		protocol.UndeliveredTag(exampleJID, "w1"): {JID: exampleJID, Kind: "undelivered", ID: "w1"},
	} {
		if got, ok := protocol.ParseJobTag(tag); !ok || got != want {
			t.Errorf("ParseJobTag(%q) = %v, %v; want %v", tag, got, ok, want)
		}
	}
	for _, tag := range []string{"salt/presence/present", "salt/job//ret", "salt/job/j", exampleJID} {
		if _, ok := protocol.ParseJobTag(tag); ok {
			t.Errorf("ParseJobTag(%q) took it", tag)
		}
	}
}

func TestPresenceAndStatsRequestsReadBack(t *testing.T) {
	for state, want := range map[string][2]string{
		"": {"available", "present"}, "present": {"present", "present"}, "joined": {"joined", "joined"},
	} {
		s, k := protocol.PresenceState(decode(t, pack(t, protocol.PresenceRequest("e", state))))
		if s != want[0] || k != want[1] {
			t.Errorf("state %q: read %q %q, want %v", state, s, k, want)
		}
	}
	if tag := protocol.StatsTag(decode(t, pack(t, protocol.StatsRequest("e", protocol.TagStatsRoad)))); tag != protocol.TagStatsRoad {
		t.Errorf("stats tag %q", tag)
	}
}

func TestPillarGrains(t *testing.T) {
	msg := decode(t, pack(t, protocol.PillarRequest("web1_minion", "m", "web1", map[string]any{"os": "Debian"})))
	load, cmd, _ := protocol.Load(msg)
	g, ok := protocol.PillarGrains(load)
	if os, _ := g.String("os"); !ok || os != "Debian" || cmd != protocol.CmdPillar {
		t.Errorf("grains %v %v cmd %q", g, ok, cmd)
	}
	if g, ok := protocol.PillarGrains(body.Map{}); !ok || g == nil || len(g) != 0 {
		t.Errorf("no grains: %v %v", g, ok)
	}
	if _, ok := protocol.PillarGrains(body.Map{{Key: "grains", Value: "x"}}); ok {
		t.Error("grains that are not a mapping were taken")
	}
}

func TestFindJob(t *testing.T) {
	load := job.PublishLoad(job.Publish{Tgt: []string{"web1"}, TgtType: "list", Fun: protocol.FunFindJob, Arg: protocol.FindJobArgs(exampleJID)})
	if got := protocol.FindJobJID(decode(t, pack(t, load))); got != exampleJID {
		t.Errorf("FindJobJID = %q", got)
	}
	if got := protocol.FindJobJID(body.Map{}); got != "" {
		t.Errorf("FindJobJID of nothing = %q", got)
	}
	running := body.Map{{Key: "jid", Value: exampleJID}, {Key: "fun", Value: "test.sleep"}}
	for _, tc := range []struct {
		data body.Map
		want bool
	}{
		{body.Map{{Key: "return", Value: running}}, true},
		{body.Map{{Key: "return", Value: body.Map{}}}, false},
		{body.Map{{Key: "return", Value: body.Map{{Key: "return", Value: body.Map{}}}}}, false},
		{body.Map{{Key: "return", Value: "'saltutil.find_job' is not available."}}, false},
		{body.Map{{Key: "return", Value: running}, {Key: "retcode", Value: int64(1)}}, false},
		{body.Map{}, false},
	} {
		if got := protocol.FindJobRunning(tc.data); got != tc.want {
			t.Errorf("FindJobRunning(%v) = %v", tc.data, got)
		}
	}
}

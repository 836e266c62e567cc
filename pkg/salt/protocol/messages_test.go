package protocol_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// todayCase is one message as the daemons and the salt command wrote it
// by hand before this package existed, copied from that code, with the
// route it must read back as.
type todayCase struct {
	name     string
	got      body.Map
	today    body.Map
	src, dst route.Addr
}

// Sample loads the messages carry.
var (
	load   = body.Map{{Key: "cmd", Value: "publish"}, {Key: "fun", Value: "test.ping"}}
	pub    = body.Map{{Key: "fun", Value: "test.ping"}, {Key: "jid", Value: "20261122034501123456"}}
	ret    = body.Map{{Key: "ret", Value: body.Map{{Key: "jid", Value: "j"}}}}
	grains = map[string]any{"os": "Debian"}
)

// roadMessages are those between master and minions.
func roadMessages() []todayCase {
	return []todayCase{
		{"pub (pubDelivery.msg)", protocol.PubMessage("saltmaster_master", "web1_minion", pub),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "dst", Value: []any{"web1_minion", nil, "fun"}},
					{Key: "src", Value: []any{"saltmaster_master", nil, nil}},
				}},
				{Key: "pub", Value: pub},
			}, route.Addr{Estate: "saltmaster_master"}, route.Addr{Estate: "web1_minion", Share: "fun"}},
		{"return (minion.ReturnMessage)", protocol.ReturnMessage("web1_minion", "saltmaster_master", load),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"web1_minion", "jobber", "jid_ret"}},
					{Key: "dst", Value: []any{"saltmaster_master", nil, "remote_cmd"}},
				}},
				{Key: "load", Value: load},
			}, route.Addr{Estate: "web1_minion", Yard: "jobber", Share: "jid_ret"}, route.Addr{Estate: "saltmaster_master", Share: "remote_cmd"}},
		{"pillar request (minion.PillarRequest)", protocol.PillarRequest("web1_minion", "saltmaster_master", "web1", grains),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"web1_minion", nil, nil}},
					{Key: "dst", Value: []any{"saltmaster_master", nil, "remote_cmd"}},
				}},
				{Key: "load", Value: body.Map{
					{Key: "id", Value: "web1"},
					{Key: "grains", Value: grains},
					{Key: "saltenv", Value: nil},
					{Key: "ver", Value: "2"},
					{Key: "cmd", Value: "_pillar"},
				}},
			}, route.Addr{Estate: "web1_minion"}, route.Addr{Estate: "saltmaster_master", Share: "remote_cmd"}},
		{"pillar reply (master.handlePillar)", protocol.PillarReply("saltmaster_master", "web1_minion"),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"saltmaster_master", nil, nil}},
					{Key: "dst", Value: []any{"web1_minion", nil, nil}},
				}},
				{Key: "return", Value: body.Map{}},
			}, route.Addr{Estate: "saltmaster_master"}, route.Addr{Estate: "web1_minion"}},
	}
}

// laneRequests are those a local process sends the master's manor.
func laneRequests() []todayCase {
	return []todayCase{
		{"publish request (client.publish)", protocol.PublishRequest("client1", load),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "dst", Value: []any{nil, "manor", "local_cmd"}},
					{Key: "src", Value: []any{nil, "client1", nil}},
				}},
				{Key: "load", Value: load},
			}, route.Addr{Yard: "client1"}, route.Addr{Yard: "manor", Share: "local_cmd"}},
		{"event subscription (client.subscribe)", protocol.EventSubscription("event1"),
			body.Map{{Key: "route", Value: body.Map{
				{Key: "dst", Value: []any{nil, "manor", "event_req"}},
				{Key: "src", Value: []any{nil, "event1", nil}},
			}}}, route.Addr{Yard: "event1"}, route.Addr{Yard: "manor", Share: "event_req"}},
		// The requests below were written by hand only in tests
		// (master_test.go, integration/stats_test.go).
		{"presence request", protocol.PresenceRequest("event1", "joined"),
			body.Map{
				{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "presence_req"}}, {Key: "src", Value: []any{nil, "event1", nil}}}},
				{Key: "data", Value: body.Map{{Key: "state", Value: "joined"}}},
			}, route.Addr{Yard: "event1"}, route.Addr{Yard: "manor", Share: "presence_req"}},
		{"stats request", protocol.StatsRequest("event1", "salt/stats/master"),
			body.Map{
				{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "stats_req"}}, {Key: "src", Value: []any{nil, "event1", nil}}}},
				{Key: "tag", Value: "salt/stats/master"},
			}, route.Addr{Yard: "event1"}, route.Addr{Yard: "manor", Share: "stats_req"}},
	}
}

// laneAnswers are those the master's manor sends a local yard.
func laneAnswers() []todayCase {
	return []todayCase{
		{"pub_ret reply (master.reply)", protocol.Reply("saltmaster_master", "client1", "pub_ret", ret),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"saltmaster_master", "manor", nil}},
					{Key: "dst", Value: []any{"saltmaster_master", "client1", "pub_ret"}},
				}},
				{Key: "return", Value: ret},
			}, route.Addr{Estate: "saltmaster_master", Yard: "manor"}, route.Addr{Estate: "saltmaster_master", Yard: "client1", Share: "pub_ret"}},
		{"reply with no share (master.replyError)", protocol.Reply("m", "client1", "", protocol.ErrorReturn("AuthenticationError", "no")),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"m", "manor", nil}},
					{Key: "dst", Value: []any{"m", "client1", nil}},
				}},
				{Key: "return", Value: body.Map{{Key: "error", Value: body.Map{
					{Key: "name", Value: "AuthenticationError"},
					{Key: "message", Value: "no"},
				}}}},
			}, route.Addr{Estate: "m", Yard: "manor"}, route.Addr{Estate: "m", Yard: "client1"}},
		{"event (master.eventMsg)", protocol.Event("saltmaster_master", "manor", "event1", "salt/job/j/new", pub),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"saltmaster_master", "manor", nil}},
					{Key: "dst", Value: []any{nil, "event1", "event_fire"}},
				}},
				{Key: "tag", Value: "salt/job/j/new"},
				{Key: "data", Value: pub},
			}, route.Addr{Estate: "saltmaster_master", Yard: "manor"}, route.Addr{Yard: "event1", Share: "event_fire"}},
		{"presence reply (master.onPresenceReq)", protocol.PresenceReply("m", "event1", "joined", body.Map{{Key: "web1_minion", Value: "127.0.0.1"}}),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"m", "manor", nil}},
					{Key: "dst", Value: []any{nil, "event1", "event_fire"}},
				}},
				{Key: "tag", Value: "salt/presence/present"},
				{Key: "data", Value: body.Map{{Key: "joined", Value: body.Map{{Key: "web1_minion", Value: "127.0.0.1"}}}}},
			}, route.Addr{Estate: "m", Yard: "manor"}, route.Addr{Yard: "event1", Share: "event_fire"}},
		{"stats reply (master.onStatsReq)", protocol.StatsReply("m", "event1", "salt/stats/master", map[string]uint64{"publish": 2, "event_subscribed": 1}),
			body.Map{
				{Key: "route", Value: body.Map{
					{Key: "src", Value: []any{"m", "manor", nil}},
					{Key: "dst", Value: []any{nil, "event1", "event_fire"}},
				}},
				{Key: "tag", Value: "salt/stats/master"},
				{Key: "data", Value: body.Map{{Key: "event_subscribed", Value: uint64(1)}, {Key: "publish", Value: uint64(2)}}},
			}, route.Addr{Estate: "m", Yard: "manor"}, route.Addr{Yard: "event1", Share: "event_fire"}},
	}
}

// The builders must give today's bytes, since msgpack keeps key order and
// peers (and the golden tests) see it; and each message's route must read
// back as what the builder was asked for.
func TestMessagesAreTodaysBytes(t *testing.T) {
	for _, tc := range slices.Concat(roadMessages(), laneRequests(), laneAnswers()) {
		t.Run(tc.name, func(t *testing.T) {
			got, want := pack(t, tc.got), pack(t, tc.today)
			if !bytes.Equal(got, want) {
				t.Errorf("bytes\n got  %x\n want %x", got, want)
			}
			rt, err := route.ParseRoute(decode(t, got))
			if err != nil {
				t.Fatal(err)
			}
			if rt.Src != tc.src || rt.Dst != tc.dst {
				t.Errorf("route read back %v, want src %v dst %v", rt, tc.src, tc.dst)
			}
		})
	}
}

func pack(t *testing.T, m body.Map) []byte {
	t.Helper()
	b, err := body.AppendMsgpack(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode reads packed bytes back as a peer would.
func decode(t *testing.T, b []byte) body.Map {
	t.Helper()
	v, err := body.DecodeMsgpack(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(body.Map)
	if !ok {
		t.Fatalf("decoded %T, not a map", v)
	}
	return m
}

// A request goes out with its track as the source share, and the master's
// reply comes back with that track as its destination share.
func TestRequestAndRemoteReply(t *testing.T) {
	req := protocol.Request("web1_minion", "salt_master", "trk123", body.Map{{Key: "cmd", Value: protocol.CmdFileEnvs}})
	rt, err := route.ParseRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Src != (route.Addr{Estate: "web1_minion", Share: "trk123"}) || rt.Dst != (route.Addr{Estate: "salt_master", Share: protocol.ShareRemoteCmd}) {
		t.Fatalf("request route %v", rt)
	}
	if _, cmd, ok := protocol.Load(req); !ok || cmd != protocol.CmdFileEnvs {
		t.Errorf("load cmd %q %v", cmd, ok)
	}
	rep := protocol.RemoteReply("salt_master", rt, []any{"base", "dev"})
	rrt, err := route.ParseRoute(rep)
	if err != nil {
		t.Fatal(err)
	}
	if rrt.Dst != rt.Src || rrt.Src != (route.Addr{Estate: "salt_master"}) {
		t.Errorf("reply route %v", rrt)
	}
	if v, ok := protocol.ReplyValue(rep); !ok || len(v.([]any)) != 2 {
		t.Errorf("reply value %v %v", v, ok)
	}
}

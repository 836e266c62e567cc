package master

import (
	"regexp"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// A minion's _minion_event is fired on the master's bus under its tag with
// the load as data, stamped, the id the signing estate's; the master's own
// tags are refused, so a minion cannot forge another's return; an events
// list fires each event, again under the pretag.
func TestMinionEvent(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.subscribe()

	data := body.Map{{Key: "foo", Value: "Foo"}}
	if ret := web1.request(tm, protocol.MinionEventLoad("liar", "myco/build/done", data)); ret != true {
		t.Fatalf("_minion_event answered %v", ret)
	}
	ev := c.waitTag("myco/build/done")
	d, ok := ev.data.(body.Map)
	if !ok {
		t.Fatalf("event data %T", ev.data)
	}
	if got := d.Keys(); len(got) != 6 || got[0] != "id" || got[5] != "_stamp" {
		t.Errorf("event data keys %v", got)
	}
	if id, _ := d.String("id"); id != "web1" {
		t.Errorf("event id %q, want the signing minion's", id)
	}
	if inner, _ := d.Map("data"); len(inner) != 1 {
		t.Errorf("event's data %v", inner)
	}
	stamp, _ := d.String("_stamp")
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$`).MatchString(stamp) {
		t.Errorf("_stamp %q", stamp)
	}

	forged := protocol.MinionEventLoad("web1", "salt/job/20261207000000000000/ret/db1", body.Map{{Key: "return", Value: "forged"}})
	if ret := web1.request(tm, forged); ret != false {
		t.Errorf("a job tag answered %v, want false", ret)
	}
	tm.waitStat("minion_event_refused", 1)
	prog := "salt/job/20261207000000000000/prog/web1/0"
	if ret := web1.request(tm, protocol.MinionEventLoad("web1", prog, body.Map{})); ret != true {
		t.Errorf("its own progress event answered %v", ret)
	}
	c.waitTag(prog)
	if ret := web1.request(tm, protocol.MinionEventLoad("web1", "salt/job/20261207000000000000/prog/db1/0", body.Map{})); ret != false {
		t.Errorf("another's progress event answered %v", ret)
	}
	if n := c.count("salt/job/20261207000000000000/ret/db1"); n != 0 {
		t.Errorf("a forged return was fired %d times", n)
	}

	batch := body.Map{{Key: "id", Value: "web1"}, {Key: "cmd", Value: protocol.CmdMinionEvent}, {Key: "pretag", Value: "syndic"},
		{Key: "events", Value: []any{body.Map{{Key: "tag", Value: "a/b"}, {Key: "data", Value: body.Map{{Key: "n", Value: 1}}}}}}}
	if ret := web1.request(tm, batch); ret != true {
		t.Fatalf("events list answered %v", ret)
	}
	for _, tag := range []string{"a/b", "syndic/a/b"} {
		if n, _ := c.waitTag(tag).data.(body.Map).Get("n"); n != int64(1) && n != 1 && n != uint64(1) {
			t.Errorf("%s data n = %#v", tag, n)
		}
	}
	if ret := web1.request(tm, body.Map{{Key: "cmd", Value: protocol.CmdMinionEvent}, {Key: "tag", Value: "x"}}); ret != false {
		t.Errorf("a load without data answered %v", ret)
	}
}

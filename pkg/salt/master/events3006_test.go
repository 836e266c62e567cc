package master

import (
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// keysOf lists the keys of an event's data, failing when it is no mapping
// or has no _stamp.
func keysOf(t *testing.T, e event) []string {
	t.Helper()
	d, ok := e.data.(body.Map)
	if !ok {
		t.Fatalf("%s: data %T, not a mapping", e.tag, e.data)
	}
	if s, _ := d.String("_stamp"); s == "" {
		t.Fatalf("%s: no _stamp in %v", e.tag, d)
	}
	return d.Keys()
}

func sameKeys(t *testing.T, e event, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(keysOf(t, e)))
	want = slices.Sorted(slices.Values(append(want, "_stamp")))
	if !slices.Equal(got, want) {
		t.Errorf("%s: keys %v, want Salt 3006's %v", e.tag, got, want)
	}
}

// A minion joining fires salt/auth as Salt 3006's _auth does: pend while
// its key waits, accept once accepted, pub its RAET public key; a job
// fires {minions} under its jid and salt/job/<jid>/new with missing (the
// list target's unknown ids) and no longer new_job; a return fires
// salt/job/<jid>/ret/<id> with the job's user, and nothing under the bare
// jid; every event is stamped.
func TestEventsAsSalt3006FiresThem(t *testing.T) {
	tm := newMaster(t, "").start()
	c := newClient(t, tm)
	c.subscribe()
	web1 := newMinion(t, tm, "web1")
	web1.join(tm)

	pend := c.waitEvent(func(e event) bool { return e.tag == TagAuth && get(e.data, "act") == "pend" })
	sameKeys(t, pend, "result", "act", "id", "pub")
	if get(pend.data, "result") != true || get(pend.data, "id") != "web1" || get(pend.data, "pub") != web1.priv.PubHex() {
		t.Errorf("pend event %v", pend.data)
	}
	web1.accept(tm) // as salt-key-raet -a would; the minion's next join is accepted
	acc := c.waitEvent(func(e event) bool { return e.tag == TagAuth && get(e.data, "act") == "accept" })
	sameKeys(t, acc, "result", "act", "id", "pub")
	if get(acc.data, "result") != true || get(acc.data, "id") != "web1" {
		t.Errorf("accept event %v", acc.data)
	}
	web1.waitAllowed(tm)

	c.publish(pubLoad(tm.key(), "web1,ghost", "list", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	sameKeys(t, c.waitTag(jid), "minions")
	nj := c.waitTag(job.NewJobTag(jid))
	sameKeys(t, nj, "jid", "tgt_type", "tgt", "user", "fun", "arg", "minions", "missing")
	if got := strs(get(nj.data, "missing")); !slices.Equal(got, []string{"ghost"}) {
		t.Errorf("missing %v, want [ghost]", got)
	}
	if get(nj.data, "user") != "root" || get(nj.data, "tgt_type") != "list" {
		t.Errorf("new event %v", nj.data)
	}

	web1.waitPub()
	web1.ret(tm.m.EstateName(), jid, "web1")
	ret := c.waitTag(job.RetTag(jid, "web1"))
	sameKeys(t, ret, "success", "return", "retcode", "jid", "fun", "fun_args", "cmd", "id", "user")
	if get(ret.data, "user") != "root" || get(ret.data, "cmd") != "_return" {
		t.Errorf("ret event %v", ret.data)
	}
	if n := c.count("new_job"); n != 0 {
		t.Errorf("new_job fired %d times; Salt 3006 has no such event", n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if e.tag == jid && get(e.data, "return") != nil {
			t.Errorf("a return fired under the bare jid: %v", e.data)
		}
	}
}

// authEvent follows _auth for each decision: denied for a key that differs
// from the one on file, reject for autoreject, no act for a rejected key.
func TestAuthEventActs(t *testing.T) {
	cases := []struct {
		d      pki.Decision
		act    any
		result bool
	}{
		{pki.Decision{Status: raet.Rejected, Reason: pki.ReasonAcceptedMismatch}, "denied", false},
		{pki.Decision{Status: raet.Rejected, Reason: pki.ReasonAutoreject}, "reject", false},
		{pki.Decision{Status: raet.Rejected, Reason: pki.ReasonAlreadyRejected}, nil, false},
		{pki.Decision{Status: raet.Accepted, Reason: pki.ReasonAutoAccept}, "accept", true},
	}
	for _, c := range cases {
		ev := authEvent("web1", "ab", c.d, nil)
		if get(ev, "act") != c.act || get(ev, "result") != c.result {
			t.Errorf("%s: %v", c.d.Reason, ev)
		}
	}
}

// A minion's pillar request refreshes its data cache, which Salt 3006
// announces as minion/refresh/<id>.
func TestMinionDataCacheRefreshEvent(t *testing.T) {
	fp := &fakePillar{}
	tm := newMaster(t, "", WithPillar(fp.compile)).start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.subscribe()
	web1.askPillar(tm.m.EstateName(), "trk0123456789abcde", body.Map{{Key: "grains", Value: body.Map{}}})
	e := c.waitTag("minion/refresh/web1")
	sameKeys(t, e, "Minion data cache refresh")
	if get(e.data, "Minion data cache refresh") != "web1" {
		t.Errorf("refresh event %v", e.data)
	}
}

// The road asks again at every redo of a pended join: the same salt/auth
// is fired once per authRepeat, a change of act at once.
func TestAuthPace(t *testing.T) {
	var p authPace
	pend := authEvent("web1", "ab", pki.Decision{Status: raet.Pending, Reason: pki.ReasonAwaiting}, nil)
	acc := authEvent("web1", "ab", pki.Decision{Status: raet.Accepted, Reason: pki.ReasonAccepted}, nil)
	if !p.due("web1", pend) || p.due("web1", pend) {
		t.Error("a repeated pend was not held back")
	}
	if !p.due("db1", pend) {
		t.Error("another minion's pend was held back")
	}
	if !p.due("web1", acc) || p.due("web1", acc) {
		t.Error("accept after pend not fired once")
	}
}

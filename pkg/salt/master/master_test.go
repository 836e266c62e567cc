package master

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// A publish reaches the targeted minion only; the client gets the jid and
// minions, the events new, delivered and ret; the job cache holds the load
// without its key and the return under the id of the estate that sent it.
func TestPublishAndReturn(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	web2 := newMinion(t, tm, "web2").connect(tm)
	c := newClient(t, tm)
	c.subscribe()

	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	reply := c.reply()
	rt := routeOf(t, reply)
	if rt.Src.Estate != "saltmaster_master" || rt.Src.Yard != "manor" ||
		rt.Dst.Estate != "saltmaster_master" || rt.Dst.Yard != c.clientYard || rt.Dst.Share != "pub_ret" {
		t.Fatalf("reply route %v", rt)
	}
	jid, _ := get(reply, "return", "ret", "jid").(string)
	if !job.IsJID(jid) {
		t.Fatalf("reply jid %v: %v", get(reply, "return", "ret", "jid"), reply)
	}
	if got := strs(get(reply, "return", "ret", "minions")); !slices.Equal(got, []string{"web1"}) {
		t.Fatalf("reply minions %v", got)
	}
	if get(reply, "return", "pub", "jid") != jid || get(reply, "return", "pub", "fun") != "test.ping" {
		t.Fatalf("reply pub %v", get(reply, "return", "pub"))
	}
	if pub, _ := get(reply, "return", "pub").(body.Map); pub.Has("key") || pub.Has("kwargs") {
		t.Fatalf("pub carries key or kwargs: %v", pub)
	}

	p := web1.waitPub()
	prt := routeOf(t, p)
	if prt.Dst.Estate != "web1_minion" || prt.Dst.Share != "fun" || prt.Src.Estate != "saltmaster_master" || prt.Src.Yard != "" {
		t.Fatalf("publish route %v", prt)
	}
	if get(p, "pub", "jid") != jid || get(p, "pub", "fun") != "test.ping" || get(p, "pub", "tgt") != "web1" {
		t.Fatalf("publish %v", p)
	}

	if e := c.waitTag(jid); !slices.Equal(strs(get(e.data, "minions")), []string{"web1"}) {
		t.Fatalf("<jid> event %v", e.data)
	}
	if e := c.waitTag(job.NewJobTag(jid)); get(e.data, "fun") != "test.ping" || !slices.Equal(strs(get(e.data, "minions")), []string{"web1"}) {
		t.Fatalf("new event %v", e.data)
	}
	if e := c.waitTag(DeliveredTag(jid, "web1")); get(e.data, "jid") != jid || get(e.data, "id") != "web1" {
		t.Fatalf("delivered event %v", e.data)
	}
	ert := routeOf(t, c.waitTag(DeliveredTag(jid, "web1")).msg)
	if ert.Src.Estate != "saltmaster_master" || ert.Src.Yard != "manor" || ert.Dst.Yard != c.eventYard || ert.Dst.Share != "event_fire" {
		t.Fatalf("event route %v", ert)
	}

	// The job cache: the load without the key, the targeted minions.
	load, err := tm.m.cache.LoadLoad(jid)
	if err != nil {
		t.Fatal(err)
	}
	if load.Has("key") || get(load, "jid") != jid || get(load, "fun") != "test.ping" {
		t.Fatalf("saved load %v", load)
	}
	if mins, err := tm.m.cache.Minions(jid); err != nil || !slices.Equal(mins, []string{"web1"}) {
		t.Fatalf("saved minions %v %v", mins, err)
	}

	// web1 claims to be web2: the return is web1's.
	web1.ret(tm.m.EstateName(), jid, "web2")
	e := c.waitTag(job.RetTag(jid, "web1"))
	if get(e.data, "id") != "web1" || get(e.data, "return") != true {
		t.Fatalf("ret event %v", e.data)
	}
	tm.m.jobs.behind.Flush() // written behind the event, as Salt's store_job does
	rets, err := tm.m.cache.Returns(jid)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rets["web1"]; !ok || len(rets) != 1 {
		t.Fatalf("returns stored %v", rets)
	}
	if _, err := os.Stat(filepath.Join(tm.m.cache.Dir(jid), "web2")); !os.IsNotExist(err) {
		t.Fatalf("a return was stored under the claimed id web2: %v", err)
	}
	if tm.m.Stats()["return_id_replaced"] != 1 {
		t.Fatalf("stats %v", tm.m.Stats())
	}

	// A second return for the same job is refused, and not fired.
	web1.ret(tm.m.EstateName(), jid, "web1")
	tm.waitStat("duplicate_return", 1)
	// web2 was not targeted: its return is refused.
	web2.ret(tm.m.EstateName(), jid, "web2")
	tm.waitStat("untargeted_return", 1)
	// A return for a job the master never had.
	web2.ret(tm.m.EstateName(), "20200101000000000000", "web2")
	tm.waitStat("unknown_jid", 1)
	if n := c.count(job.RetTag(jid, "web1")); n != 1 {
		t.Fatalf("%d ret events for web1, want 1", n)
	}
	if n := c.count(job.RetTag(jid, "web2")); n != 0 {
		t.Fatalf("%d ret events for web2, want 0", n)
	}
	if st := tm.m.Stats(); st["return"] != 1 || st["publish_sent"] != 1 {
		t.Fatalf("stats %v", st)
	}

	// web2 was never sent anything: the road delivered none of its
	// messages to it in all this time.
	select {
	case p := <-web2.pubs:
		t.Fatalf("untargeted web2 got a publish: %v", p)
	default:
	}
}

// The key of the publish must be the access key; a target matching no
// accepted key gets the clear reply and allocates no jid.
func TestPublishRefusedAndNoMatch(t *testing.T) {
	tm := newMaster(t, "").start()
	newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)

	c.publish(pubLoad("not-the-key", "*", "glob", "test.ping"))
	r := c.reply()
	if get(r, "return", "error", "name") != ErrNameAuthentication {
		t.Fatalf("reply to a bad key: %v", r)
	}
	if msg, _ := get(r, "return", "error", "message").(string); msg != "Authentication error occurred." {
		t.Fatalf("message %q", msg)
	}

	c.publish(pubLoad(tm.key(), "db*", "glob", "test.ping"))
	r = c.reply()
	if rt := routeOf(t, r); rt.Dst.Share != "" || rt.Dst.Yard != c.clientYard {
		t.Fatalf("no-match reply route %v", rt)
	}
	if get(r, "return", "enc") != "clear" || get(r, "return", "load", "jid") != nil ||
		len(strs(get(r, "return", "load", "minions"))) != 0 || get(r, "return", "load", "minions") == nil {
		t.Fatalf("no-match reply %v", r)
	}
	if jobs, err := tm.m.cache.Jobs(); err != nil || len(jobs) != 0 {
		t.Fatalf("jobs after refused publishes: %v %v", jobs, err)
	}
	if st := tm.m.Stats(); st["auth_failed"] != 1 || st["publish_no_minions"] != 1 || st["publish"] != 0 {
		t.Fatalf("stats %v", st)
	}
}

// Malformed input from clients and minions is counted and refused, and the
// master goes on serving.
func TestBadInputKeepsServing(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	web2 := newMinion(t, tm, "web2").connect(tm)
	c := newClient(t, tm)
	c.subscribe()
	est := tm.m.EstateName()
	key := tm.key()

	// Lane: no route at all; a load that is not a mapping; an unknown cmd;
	// a publish whose fun is a number; a 10 MB argument.
	c.sendFrom(c.cli, body.Map{{Key: "load", Value: "x"}})
	tm.waitStat("lane_invalid_route", 1)
	lc := func(load any) body.Map {
		return body.Map{
			{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "local_cmd"}}, {Key: "src", Value: []any{nil, c.clientYard, nil}}}},
			{Key: "load", Value: load},
		}
	}
	c.sendFrom(c.cli, lc("not a map"))
	if get(c.reply(), "return", "error", "name") != ErrNameInvocation {
		t.Fatal("a load that is not a mapping was not refused as SaltInvocationError")
	}
	c.sendFrom(c.cli, lc(body.Map{{Key: "cmd", Value: "runner"}, {Key: "key", Value: key}}))
	if get(c.reply(), "return", "error", "name") != ErrNameInvocation {
		t.Fatal("an unknown cmd was not refused")
	}
	bad := pubLoad(key, "*", "glob", "test.ping")
	bad.Set("fun", int64(3))
	c.publish(bad)
	if r := c.reply(); get(r, "return", "error", "name") != ErrNameInvocation {
		t.Fatalf("a publish with fun 3: %v", r)
	}
	c.publish(pubLoad(key, "*", "glob", "test.echo", strings.Repeat("x", 10<<20)))
	r := c.reply()
	if msg, _ := get(r, "return", "error", "message").(string); get(r, "return", "error", "name") != ErrNameInvocation || !strings.Contains(msg, "limit") {
		t.Fatalf("a 10 MB publish: %v", get(r, "return"))
	}
	c.publish(pubLoad(key, "*", "pillar", "test.ping"))
	if r := c.reply(); get(r, "return", "error", "name") != ErrNameInvocation {
		t.Fatalf("a pillar target: %v", r)
	}

	// Road: a load that is not a mapping; an unknown cmd; a return with no
	// jid; a message for a local yard; a local_cmd.
	web1.send(web1.remoteCmd(est, "nope"))
	web1.send(web1.remoteCmd(est, body.Map{{Key: "cmd", Value: "_master_tops"}, {Key: "id", Value: "web1"}}))
	web1.send(web1.remoteCmd(est, body.Map{{Key: "cmd", Value: "_return"}, {Key: "return", Value: true}}))
	web1.send(body.Map{
		{Key: "route", Value: body.Map{{Key: "src", Value: []any{"web1_minion", nil, nil}}, {Key: "dst", Value: []any{est, c.eventYard, "event_fire"}}}},
		{Key: "tag", Value: "salt/job/20200101000000000000/ret/web2"}, {Key: "data", Value: body.Map{}},
	})
	web1.send(body.Map{
		{Key: "route", Value: body.Map{{Key: "src", Value: []any{"web1_minion", nil, nil}}, {Key: "dst", Value: []any{est, nil, "local_cmd"}}}},
		{Key: "load", Value: pubLoad(key, "*", "glob", "test.ping")},
	})
	tm.waitStat("road_local_cmd", 1)
	tm.waitStat("road_yard_refused", 1)
	tm.waitStat("unknown_cmd", 2)
	tm.waitStat("bad_load", 4) // lane: not a map, fun 3; road: not a map, no jid
	if n := c.count("salt/job/20200101000000000000/ret/web2"); n != 0 {
		t.Fatal("a minion reached the event yard through the master")
	}
	st := tm.m.Stats()
	if st["oversize_load"] != 1 || st["bad_target"] != 1 {
		t.Fatalf("stats %v", st)
	}

	// A minion whose key is rejected after it joined is not served.
	if err := tm.m.store.Move("web2", raet.Accepted, raet.Rejected); err != nil {
		t.Fatal(err)
	}
	web2.ret(est, "20200101000000000000", "web2")
	tm.waitStat("unaccepted_estate", 1)

	// And the master still serves.
	c.publish(pubLoad(key, "web*", "glob", "test.ping"))
	reply := c.reply()
	jid, _ := get(reply, "return", "ret", "jid").(string)
	if !slices.Equal(strs(get(reply, "return", "ret", "minions")), []string{"web1"}) {
		t.Fatalf("publish after bad input: %v", reply)
	}
	web1.waitPub()
	web1.ret(est, jid, "web1")
	c.waitTag(job.RetTag(jid, "web1"))
}

// A minion whose key is pending gets nothing; once accepted, it joins and
// the next publish reaches it.
func TestPendingMinion(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	web3 := newMinion(t, tm, "web3")
	web3.join(tm)
	eventually(t, "web3 pending", func() bool {
		_, err := tm.m.store.Read("web3", raet.Pending)
		return err == nil
	})
	c := newClient(t, tm)
	c.subscribe()

	c.publish(pubLoad(tm.key(), "*", "glob", "test.ping"))
	r := c.reply()
	if got := strs(get(r, "return", "ret", "minions")); !slices.Equal(got, []string{"web1"}) {
		t.Fatalf("minions with web3 pending: %v", got)
	}
	jid1 := get(r, "return", "ret", "jid").(string)
	web1.waitPub()
	c.waitTag(DeliveredTag(jid1, "web1"))
	select {
	case p := <-web3.pubs:
		t.Fatalf("pending web3 got %v", p)
	default:
	}

	if err := tm.m.store.Accept("web3"); err != nil {
		t.Fatal(err)
	}
	web3.waitAllowed(tm)
	c.publish(pubLoad(tm.key(), "web3", "glob", "test.ping"))
	r = c.reply()
	jid2, _ := get(r, "return", "ret", "jid").(string)
	if p := web3.waitPub(); get(p, "pub", "jid") != jid2 || jid2 == jid1 {
		t.Fatalf("web3 got %v, want job %s", p, jid2)
	}
	c.waitTag(DeliveredTag(jid2, "web3"))
	select {
	case p := <-web3.pubs:
		t.Fatalf("web3 got a second publish %v", p)
	default:
	}
}

// A targeted minion with no session is reported undelivered at once.
func TestUndelivered(t *testing.T) {
	tm := newMaster(t, "").start()
	ghost := newMinion(t, tm, "ghost")
	ghost.accept(tm) // accepted, never joined
	c := newClient(t, tm)
	c.subscribe()
	c.publish(pubLoad(tm.key(), "ghost", "list", "test.ping"))
	r := c.reply()
	jid, _ := get(r, "return", "ret", "jid").(string)
	e := c.waitTag(UndeliveredTag(jid, "ghost"))
	if get(e.data, "id") != "ghost" || get(e.data, "jid") != jid {
		t.Fatalf("undelivered event %v", e.data)
	}
	if msg, _ := get(e.data, "error").(string); msg == "" {
		t.Fatalf("undelivered event without an error: %v", e.data)
	}
	if c.count(DeliveredTag(jid, "ghost")) != 0 {
		t.Fatal("delivered and undelivered")
	}
}

// A pillar request stores the grains the minion reports, answers with an
// empty pillar, and grain targets then use them (greedily for minions with
// no grains cached).
func TestPillarAndGrainTargets(t *testing.T) {
	tm := newMaster(t, "").start()
	est := tm.m.EstateName()
	web1 := newMinion(t, tm, "web1").connect(tm)
	db1 := newMinion(t, tm, "db1").connect(tm)
	newMinion(t, tm, "nodata").accept(tm)
	pillar := func(mn *minion, os string) {
		mn.send(body.Map{
			{Key: "route", Value: body.Map{{Key: "src", Value: []any{mn.estate(), nil, nil}}, {Key: "dst", Value: []any{est, nil, "remote_cmd"}}}},
			{Key: "load", Value: body.Map{
				{Key: "id", Value: "someone-else"},
				{Key: "grains", Value: body.Map{{Key: "id", Value: mn.id}, {Key: "os", Value: os}}},
				{Key: "saltenv", Value: nil}, {Key: "ver", Value: "2"}, {Key: "cmd", Value: "_pillar"},
			}},
		})
		select {
		case m := <-mn.others:
			rt := routeOf(t, m)
			if rt.Src.Estate != est || rt.Dst.Estate != mn.estate() || rt.Dst.Share != "" {
				t.Fatalf("pillar reply route %v", rt)
			}
			if ret, ok := get(m, "return").(body.Map); !ok || len(ret) != 0 {
				t.Fatalf("pillar reply %v", m)
			}
		case <-time.After(wait):
			t.Fatalf("%s got no pillar reply", mn.id)
		}
	}
	pillar(web1, "Ubuntu")
	pillar(db1, "Debian")
	g, err := ReadGrains(filepath.Join(tm.cfg.Cachedir, "minions", "web1", DataFile))
	if err != nil || g["os"] != "Ubuntu" {
		t.Fatalf("web1 grains %v %v", g, err)
	}
	if _, err := os.Stat(filepath.Join(tm.cfg.Cachedir, "minions", "someone-else")); !os.IsNotExist(err) {
		t.Fatal("grains stored under the id the load claimed")
	}

	c := newClient(t, tm)
	for _, tc := range []struct {
		tgtType, tgt string
		want         []string
	}{
		{"grain", "os:ubuntu", []string{"nodata", "web1"}},
		{"compound", "G@os:Debian and d*", []string{"db1"}},
		{"compound", "G@os:Debian or web1", []string{"db1", "nodata", "web1"}},
		{"pcre", "^(web|db)1$", []string{"db1", "web1"}},
	} {
		c.publish(pubLoad(tm.key(), tc.tgt, tc.tgtType, "test.ping"))
		r := c.reply()
		if got := strs(get(r, "return", "ret", "minions")); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: minions %v, want %v", tc.tgtType, tc.tgt, got, tc.want)
		}
	}
}

// Presence events name the available estates; presence_req and stats_req
// are answered to the asking yard.
func TestPresence(t *testing.T) {
	tm := newMaster(t, "").start()
	c := newClient(t, tm)
	c.subscribe()
	newMinion(t, tm, "web1").connect(tm)
	c.waitEvent(func(e event) bool {
		return e.tag == TagPresencePresent && slices.Contains(strs(get(e.data, "present")), "web1")
	})
	ch := c.waitTag(TagPresenceChange)
	if !slices.Equal(strs(get(ch.data, "new")), []string{"web1"}) || len(strs(get(ch.data, "lost"))) != 0 || get(ch.data, "lost") == nil {
		t.Fatalf("change event %v", ch.data)
	}

	c.sendFrom(c.evt, body.Map{
		{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "presence_req"}}, {Key: "src", Value: []any{nil, c.eventYard, nil}}}},
		{Key: "data", Value: body.Map{{Key: "state", Value: "joined"}}},
	})
	e := c.waitEvent(func(e event) bool { return e.tag == TagPresencePresent && get(e.data, "joined") != nil })
	if get(e.data, "joined", "web1_minion") != "127.0.0.1" {
		t.Fatalf("presence reply %v", e.data)
	}
	c.sendFrom(c.evt, body.Map{
		{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "stats_req"}}, {Key: "src", Value: []any{nil, c.eventYard, nil}}}},
		{Key: "tag", Value: TagStatsMaster},
	})
	e = c.waitTag(TagStatsMaster)
	if n, _ := get(e.data, "event_subscribed").(int64); n != 1 {
		if u, _ := get(e.data, "event_subscribed").(uint64); u != 1 {
			t.Fatalf("stats reply %v", e.data)
		}
	}
}

// A subscriber whose yard is gone is dropped.
func TestGoneSubscriberDropped(t *testing.T) {
	tm := newMaster(t, "").start()
	c := newClient(t, tm)
	c.subscribe()
	// A second subscriber, stopped once subscribed: its socket file goes.
	name := "event" + lane.NewSessionID()
	s, err := lane.NewStack(lane.Config{Name: name, Lane: "master", Dir: tm.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	for _, share := range []string{"event_req", "presence_req"} {
		if err := s.Transmit(body.Map{{Key: "route", Value: body.Map{
			{Key: "dst", Value: []any{nil, "manor", share}}, {Key: "src", Value: []any{nil, name, nil}},
		}}}, "manor").Err(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-s.Receive():
	case <-time.After(wait):
		t.Fatal("no presence reply")
	}
	if got := tm.m.ev.subscribers(); !slices.Contains(got, name) || !slices.Contains(got, c.eventYard) {
		t.Fatalf("subscribers %v", got)
	}
	cancel()
	<-s.Stopped()
	eventually(t, "gone subscriber dropped", func() bool {
		return !slices.Contains(tm.m.ev.subscribers(), name)
	})
	if !slices.Contains(tm.m.ev.subscribers(), c.eventYard) {
		t.Fatal("live subscriber dropped")
	}
	tm.waitStat("event_yard_gone", 1)
}

// Run ends on cancel, removing the manor socket; the access key is 76
// characters of base64, mode 0400, new at every start.
func TestShutdownAndAccessKey(t *testing.T) {
	tm := newMaster(t, "")
	path := AccessKeyPath(tm.cfg.Cachedir, tm.cfg.User)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o400 {
		t.Fatalf("access key mode %v", fi.Mode())
	}
	first := tm.key()
	if len(first) != 76 {
		t.Fatalf("access key %q is %d characters", first, len(first))
	}
	if filepath.Base(path) != "."+tm.cfg.User+"_key" {
		t.Fatalf("access key file %s", path)
	}
	manor := tm.m.ManorPath()
	if manor != filepath.Join(tm.cfg.SockDir, "master.manor.uxd") {
		t.Fatalf("manor socket %s", manor)
	}
	tm.start()
	c := newClient(t, tm)
	c.subscribe()
	if err := tm.shutdown(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(manor); !os.IsNotExist(err) {
		t.Fatalf("manor socket left behind: %v", err)
	}

	// A restart keeps the master's identity and makes a new access key.
	again := newMaster2(t, tm)
	defer again.Close()
	if again.keys.byUser[tm.cfg.User] == first {
		t.Fatal("the access key was not renewed")
	}
	if k, _ := ReadAccessKey(tm.cfg.Cachedir, tm.cfg.User); k == first || !again.keys.check(k) || again.keys.check(first) {
		t.Fatal("the new access key is not the one in the file")
	}
}

// newMaster2 makes a second Master on the same root.
func newMaster2(t *testing.T, tm *tmaster) *Master {
	t.Helper()
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(tm.cfg, nil, WithRoadConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Jobs older than keep_jobs are cleaned from the job cache; keep_jobs 0
// keeps them and the master serves on.
func TestMaintenance(t *testing.T) {
	tm := newMaster(t, "keep_jobs: 1\n", WithMaintenanceInterval(20*time.Millisecond))
	oldJID, err := tm.m.cache.PrepJID(nil)
	if err != nil {
		t.Fatal(err)
	}
	newJID, err := tm.m.cache.PrepJID(nil)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(tm.m.cache.Dir(oldJID), job.JIDFile), long, long); err != nil {
		t.Fatal(err)
	}
	tm.start()
	tm.waitStat("jobs_cleaned", 1)
	if _, err := os.Stat(tm.m.cache.Dir(oldJID)); !os.IsNotExist(err) {
		t.Fatalf("old job kept: %v", err)
	}
	if _, err := os.Stat(tm.m.cache.Dir(newJID)); err != nil {
		t.Fatalf("new job removed: %v", err)
	}

	keepAll := newMaster(t, "keep_jobs: 0\n", WithMaintenanceInterval(time.Millisecond)).start()
	c := newClient(t, keepAll)
	c.subscribe() // still serving
	if keepAll.m.Stats()["jobs_cleaned"] != 0 {
		t.Fatal("keep_jobs 0 cleaned")
	}
}

// A road keep left by another id or other keys is made to agree with the
// configuration and local.key, which decide the master's identity.
func TestKeepFollowsConfig(t *testing.T) {
	tm := newMaster(t, "")
	local, err := tm.m.store.LoadLocal()
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.m.Close(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tm.cfg.Cachedir, "raet", "saltmaster_master")
	kp, err := keep.Open(dir, keep.KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	l, err := kp.LoadLocal()
	if err != nil || l == nil {
		t.Fatalf("keep local after a first start: %v %v", l, err)
	}
	other, _ := raet.GenerateSigner()
	l.Name, l.Role, l.SigHex = "oldname_master", "oldname", other.SeedHex()
	if err := kp.DumpLocal(l); err != nil {
		t.Fatal(err)
	}
	m := newMaster2(t, tm)
	defer m.Close()
	if m.road.Name() != "saltmaster_master" {
		t.Fatalf("road estate %q", m.road.Name())
	}
	l, err = kp.LoadLocal()
	if err != nil || l.Name != "saltmaster_master" || l.Role != "saltmaster" || l.SigHex != local.Signer.SeedHex() {
		t.Fatalf("keep local %+v, %v", l, err)
	}
}

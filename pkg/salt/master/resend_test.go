package master

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// restartable is a fake minion that can stop and start again on the same
// port, with the same keys and keep, as a restarted salt-minion-raet does.
type restartable struct {
	*minion
	keepDir  string
	addr     netip.AddrPort
	halt     func()
	pendRedo time.Duration // how often a join the master pended is tried again
}

func newRestartable(t *testing.T, id string) *restartable {
	t.Helper()
	signer, priv := testutil.EstateKeys(t)
	mn := &minion{t: t, id: id, signer: signer, priv: priv,
		pubs: make(chan body.Map, 64), others: make(chan body.Map, 64), events: make(chan road.Event, 256)}
	return &restartable{minion: mn, keepDir: t.TempDir(), addr: netip.MustParseAddrPort("127.0.0.1:0"),
		pendRedo: 300 * time.Millisecond}
}

// start runs a new road stack for the minion, on the port of the last one.
func (r *restartable) start() {
	t := r.t
	t.Helper()
	// The last stack's socket is closed, but Go closes its descriptor only
	// once its reader has woken from the read: the port may still be
	// bound for a moment on a busy machine.
	var conn road.Conn
	var err error
	eventually(t, "the port "+r.addr.String()+" free again", func() bool {
		conn, err = road.ListenUDP(r.addr.String())
		return !errors.Is(err, syscall.EADDRINUSE)
	})
	if err != nil {
		t.Fatal(err)
	}
	r.addr = conn.LocalAddr()
	kp, err := keep.Open(r.keepDir, keep.KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	s, err := road.NewStack(road.Config{Name: r.id + "_minion", Role: r.id, Kind: config.KindMinion,
		Keep: kp, Signer: r.signer, Privateer: r.priv, Conn: conn, BodyKind: raet.BodyMsgpack,
		Timers: road.Timers{JoinerTimeout: road.Never, PendRedo: r.pendRedo}})
	if err != nil {
		t.Fatal(err)
	}
	r.road = s
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	go func() {
		for {
			select {
			case rx := <-s.Receive():
				if rt, err := route.ParseRoute(rx.Body); err == nil && rt.Dst.Share == "fun" {
					r.pubs <- rx.Body
				}
			case <-s.Events():
			case <-s.Done():
				return
			}
		}
	}()
	r.halt = func() { cancel(); <-s.Done() }
	t.Cleanup(r.halt)
}

// waitResendOrUndelivered waits until the master says the publish waits
// for the minion, and fails the test if it was reported undelivered.
func waitResendOrUndelivered(t *testing.T, tm *tmaster, c *client, jid, id string) {
	t.Helper()
	eventually(t, "the publish waiting for "+id, func() bool {
		return tm.m.Stats()["publish_resend_wait"] > 0 || c.count(UndeliveredTag(jid, id)) > 0
	})
	if c.count(UndeliveredTag(jid, id)) > 0 {
		t.Fatalf("job %s reported undelivered to %s while the minion was coming back", jid, id)
	}
}

// publishJID publishes test.ping to tgt and returns the jid.
func publishJID(t *testing.T, tm *tmaster, c *client, tgt string) string {
	t.Helper()
	c.publish(pubLoad(tm.key(), tgt, "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	if !job.IsJID(jid) {
		t.Fatal("no jid in the reply")
	}
	return jid
}

// getsJobAndReturns checks the minion gets the publish of jid, that its
// return is stored, and that the job was reported delivered once and
// never undelivered.
func getsJobAndReturns(t *testing.T, tm *tmaster, c *client, mn *minion, jid string) {
	t.Helper()
	pub := mn.waitPub()
	if got := get(pub, "pub", "jid"); got != jid {
		t.Fatalf("%s got the publish of %v, want %s", mn.id, got, jid)
	}
	mn.ret(tm.m.EstateName(), jid, mn.id)
	c.waitTag(job.RetTag(jid, mn.id))
	c.waitTag(DeliveredTag(jid, mn.id))
	tm.m.jobs.behind.Flush() // written behind the event, as Salt's store_job does
	rets, err := tm.m.Cache().Returns(jid)
	if err != nil || rets[mn.id] == nil {
		t.Errorf("job cache returns %v (%v)", rets, err)
	}
	if n := c.count(UndeliveredTag(jid, mn.id)); n != 0 {
		t.Errorf("%d undelivered events", n)
	}
	if n := c.count(DeliveredTag(jid, mn.id)); n != 1 {
		t.Errorf("%d delivered events", n)
	}
}

// A minion restarted while a publish is on its way to it (the delivery
// times out on the dead session) still gets the job once it is allowed
// again, and its return is stored.
func TestPublishResentAfterMinionRestart(t *testing.T) {
	t.Parallel()
	tm := newMaster(t, "", WithPublishTimeout(time.Second), WithResendWindow(wait)).start()
	c := newClient(t, tm)
	c.subscribe()
	r := newRestartable(t, "m1")
	r.start()
	r.connect(tm)

	r.halt()
	jid := publishJID(t, tm, c, "m1")
	waitResendOrUndelivered(t, tm, c, jid, "m1")
	r.start()
	r.join(tm)
	getsJobAndReturns(t, tm, c, r.minion, jid)
	if tm.m.Stats()["publish_resent"] == 0 {
		t.Error("publish_resent not counted")
	}
}

// A minion the road knows but that has no session at the moment of the
// publish (here: its join was pended until its key was accepted) gets the
// job once it is allowed.
func TestPublishWaitsForAllow(t *testing.T) {
	t.Parallel()
	tm := newMaster(t, "").start()
	c := newClient(t, tm)
	c.subscribe()
	r := newRestartable(t, "m1")
	r.pendRedo = time.Hour // the join stays pended: the minion does not try again by itself
	r.start()
	r.join(tm)
	eventually(t, "the master to know m1, not allowed", func() bool {
		allowed, known := tm.m.estatesOf("m1")
		return known && len(allowed) == 0
	})
	// The road knows m1 as soon as its join is pended; its key file is
	// written by the decider after that.
	eventually(t, "m1's key pending in the key store", func() bool {
		ids, err := tm.m.Store().ListStatus(raet.Pending)
		return err == nil && slices.Contains(ids, "m1")
	})
	if err := tm.m.Store().Accept("m1"); err != nil {
		t.Fatal(err)
	}
	jid := publishJID(t, tm, c, "m1")
	waitResendOrUndelivered(t, tm, c, jid, "m1")
	r.halt()
	r.start()
	r.join(tm)
	getsJobAndReturns(t, tm, c, r.minion, jid)
}

// A minion that does not come back within the window is reported
// undelivered once, with why the last attempt failed.
func TestPublishUndeliveredOnceAfterWindow(t *testing.T) {
	t.Parallel()
	tm := newMaster(t, "", WithPublishTimeout(300*time.Millisecond), WithResendWindow(time.Second)).start()
	c := newClient(t, tm)
	c.subscribe()
	r := newRestartable(t, "m1")
	r.start()
	r.connect(tm)
	r.halt()
	jid := publishJID(t, tm, c, "m1")
	ev := c.waitTag(UndeliveredTag(jid, "m1"))
	if why, _ := ev.data.(body.Map).String("error"); why == "" {
		t.Errorf("undelivered event without an error: %v", ev.data)
	}
	if err := tm.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n, d := c.count(UndeliveredTag(jid, "m1")), c.count(DeliveredTag(jid, "m1")); n != 1 || d != 0 {
		t.Errorf("%d undelivered and %d delivered events, want 1 and 0", n, d)
	}
}

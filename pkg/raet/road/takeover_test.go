package road

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// A new estate that takes over the address of one that joined, restarted
// and went away must work, for longer than presence management's period:
// the old estate's session must never capture the new one's traffic. The
// main keeps the old remote at the address and its alives go there; hosts
// reinstalled, containers renewed and NAT reusing ports all do this.
func TestNewEstateOnReusedAddress(t *testing.T) {
	s := newSim(t, 3)
	main := s.add(Config{Name: "master", Main: true, Mutable: true, Manage: true, ManageCascade: true}, 7560, raet.AutoAlways)
	jA := s.add(Config{Name: "jA_minion", Manage: true, ManageCascade: true}, 7561, raet.AutoAlways)
	ra := jA.joinTo(main)
	s.runUntil(time.Minute, "jA allowed", func() bool { return ra.Allowed == Yes })
	// jA restarts as a Salt minion does, its remotes cleared: a vacuous
	// join again, while the main still sends the old one a message.
	jA.ep.SetHandler(func(netsim.Datagram) {})
	main.send(jA, body.Map{{Key: "job", Value: "lost"}}, time.Minute)
	jA = s.restart(jA, Config{Name: "jA_minion", Manage: true, ManageCascade: true}, raet.AutoAlways, true)
	jA.joinTo(main)
	s.runUntil(time.Minute, "jA allowed again", func() bool {
		r := jA.byName[ra.Name]
		return r != nil && r.Allowed == Yes && len(r.transactions) == 0
	})
	// jA stops; jB, a new estate with new keys, starts on jA's port.
	jB := s.restart(jA, Config{Name: "jB_minion", Manage: true, ManageCascade: true}, raet.AutoAlways, true)
	rb := jB.joinTo(main)
	s.runUntil(time.Minute, "jB allowed", func() bool {
		mr := main.byName["jB_minion"]
		return rb.Allowed == Yes && mr != nil && mr.Allowed == Yes
	})
	old := main.byName["jA_minion"]
	if old == nil || !old.Reaped || main.stats["remote_displaced"] != 1 {
		t.Fatalf("main still manages the displaced estate: %+v, stats %v", old, main.stats)
	}
	dropped := jB.stats["mismatched_fuid"]
	start := s.clk.Now()
	for i := 0; s.clk.Now().Sub(start) < 30*time.Second; i++ {
		o := main.send(jB, body.Map{{Key: "job", Value: int64(i)}}, 10*time.Second)
		s.runUntil(time.Minute, fmt.Sprintf("job %d reported", i), func() bool { return o.reported })
		if o.err != nil {
			t.Fatalf("job %d to jB after %v: %v (main %v, jB %v)", i, s.clk.Now().Sub(start), o.err, main.stats, jB.stats)
		}
		back := jB.send(main, body.Map{{Key: "ret", Value: int64(i)}}, 10*time.Second)
		s.runUntil(time.Minute, fmt.Sprintf("return %d reported", i), func() bool { return back.reported })
		if back.err != nil {
			t.Fatalf("return %d from jB: %v", i, back.err)
		}
		s.runFor(2 * time.Second)
	}
	if n := jB.stats["mismatched_fuid"]; n != dropped {
		t.Errorf("the main went on sending the old estate's traffic to jB: %d dropped", n-dropped)
	}
}

// A packet signed by a remote's key but naming another estate of ours as
// its source uid (the far uid it knows us by) belonged to an estate that
// held our address before: it is dropped and counted, and the session
// stays as it was.
func TestMismatchedFUIDDropped(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.quiesce(time.Minute)
	ra := alpha.byName["beta"]
	rsid := r.RSID
	h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktRequest, TK: raet.TrnsAlive,
		SE: ra.UID + 7, DE: ra.FUID, SI: ra.SID + 5, TI: 77, CK: raet.CoatNacl, FK: raet.FootNacl}
	p, err := wire.Pack(&h, nil, nil, alpha.signer)
	if err != nil {
		t.Fatal(err)
	}
	sent := s.net.Stats().Sent
	beta.receive(alpha.conn.LocalAddr(), p.Datagram())
	if beta.stats["mismatched_fuid"] != 1 || r.RSID != rsid || s.net.Stats().Sent != sent {
		t.Errorf("taken: rsid %d (was %d), stats %v", r.RSID, rsid, beta.stats)
	}
}

// runFor steps the simulation for the given simulated time.
func (s *sim) runFor(d time.Duration) {
	end := s.clk.Now().Add(d)
	for s.clk.Now().Before(end) && s.step() {
	}
}

// A signature a worker found bad with a key from an older snapshot is
// checked again with the remote's current key, not dropped: a join that
// changed the key would otherwise lose the remote's packets until the next
// snapshot, and for ever when nothing published one.
func TestStaleSnapshotKeyRechecked(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.quiesce(time.Minute)
	h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktRequest, TK: raet.TrnsAlive,
		SE: r.UID, DE: r.FUID, SI: r.SID, TI: r.nextTID(), CK: raet.CoatNacl, FK: raet.FootNacl}
	p, err := wire.Pack(&h, nil, nil, beta.signer)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := simKeys(t, "beta-before")
	oldVer, err := raet.NewVerifier(old.VerKey())
	if err != nil {
		t.Fatal(err)
	}
	stale := check(beta.conn.LocalAddr(), p.Datagram(), snapshotOf(alpha.remotes[r.FUID].UID, oldVer), true)
	if stale.err == nil {
		t.Fatal("the old key verified the packet")
	}
	answered := alpha.stats["alive_complete"]
	alpha.receiveChecked(stale)
	if alpha.stats["parsing_outer_error"] != 0 || alpha.stats["alive_complete"] != answered+1 {
		t.Errorf("dropped: stats %v", alpha.stats)
	}
}

func snapshotOf(uid uint32, v *raet.Verifier) *atomic.Pointer[verifiers] {
	var p atomic.Pointer[verifiers]
	m := verifiers{base: map[uint32]*raet.Verifier{uid: v}}
	p.Store(&m)
	return &p
}

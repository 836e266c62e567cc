package road

import (
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// A captured message, replayed after the receiver's done memory expired
// and a hundred newer messages, from another address, is refused and
// counted, not delivered again: a publish replayed this way ran its
// command a second time.
func TestReplayedMessageIsNotDeliveredAgain(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	rng := rand.New(rand.NewSource(1))
	var captured [][]byte
	capturing := true
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); capturing && err == nil && p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage {
			captured = append(captured, append([]byte(nil), d.Data...))
		}
		alpha.receive(d.From, d.Data)
	})
	small := beta.send(alpha, padded(rng, 0, 10), 0)
	large := beta.send(alpha, padded(rng, 1, 5000), 0) // several segments
	s.runUntil(time.Minute, "captured", func() bool { return small.reported && large.reported })
	capturing = false
	if small.err != nil || large.err != nil || len(alpha.received) != 2 || len(captured) < 3 {
		t.Fatalf("outcomes %v %v, %d received, %d captured", small.err, large.err, len(alpha.received), len(captured))
	}

	end := s.clk.Now().Add(doneMemory + time.Second)
	s.runUntil(doneMemory+time.Minute, "done memory expired", func() bool { return !s.clk.Now().Before(end) })
	var outs []*outcome
	for i := range 100 {
		outs = append(outs, beta.send(alpha, padded(rng, 2+i, 10), 0))
	}
	s.runUntil(time.Minute, "newer messages", func() bool { return outs[99].reported && len(alpha.received) == 102 })
	if len(alpha.remotes[2].done) != 100 {
		t.Fatalf("%d done records, want the 100 newer ones only", len(alpha.remotes[2].done))
	}

	attacker, err := s.net.Listen(netip.MustParseAddrPort("127.0.0.1:9999"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range captured {
		if err := attacker.WriteTo(d, alpha.conn.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	settle := s.clk.Now().Add(10 * time.Second)
	s.runUntil(time.Minute, "settle", func() bool { return !s.clk.Now().Before(settle) })
	if len(alpha.received) != 102 {
		t.Errorf("%d delivered, want 102: a replay was delivered again", len(alpha.received))
	}
	if got := alpha.stats["message_replay"]; got != uint64(len(captured)) {
		t.Errorf("message_replay %d, want %d (stats %v)", got, len(captured), alpha.stats)
	}
}

// The window takes ids that begin out of order, once each, while fewer
// than its size of newer ids have begun; ids wrap as session ids do.
func TestReplayWindow(t *testing.T) {
	var w replayWindow
	for _, tid := range []uint32{10, 12, 11} {
		if !w.fresh(5, tid) {
			t.Fatalf("tid %d refused before it began", tid)
		}
		w.mark(5, tid)
		if w.fresh(5, tid) {
			t.Fatalf("tid %d taken twice", tid)
		}
	}
	if !w.fresh(5, 9) || !w.fresh(5, 13) {
		t.Error("a late id that never began is refused")
	}
	w.mark(5, 12+replayWindowSize)
	if w.fresh(5, 12) || w.fresh(5, 10) || w.fresh(5, 1) {
		t.Error("an id older than the window is taken")
	}
	if !w.fresh(5, 13) || !w.fresh(5, 11+replayWindowSize) || !w.fresh(6, 10) {
		t.Error("an id inside the window, or of a new session, is refused")
	}

	w = replayWindow{}
	w.mark(1, raet.SIDRollover-1)
	w.mark(1, 2) // 1 and 2 follow 0xffffffff
	if w.fresh(1, raet.SIDRollover-1) || !w.fresh(1, raet.SIDRollover) || !w.fresh(1, 1) || w.fresh(1, 2) {
		t.Error("ids across the rollover")
	}
	for tid := uint32(10); tid < 10+2*replayWindowSize; tid += 7 {
		w.mark(1, tid)
		if w.fresh(1, tid) || tid > 10 && w.fresh(1, tid-7) || !w.fresh(1, tid-1) || !w.fresh(1, tid+1) {
			t.Fatalf("tid %d: the window slid wrong", tid)
		}
	}
}

// A captured message replayed to a receiver that restarted since (on its
// keep) is not delivered: the session it was sealed in is gone.
func TestReplayAfterRestartIsNotDelivered(t *testing.T) {
	s := newSim(t, 2)
	alpha, beta, r := bootstrap(t, s, Timers{})
	var captured [][]byte
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage {
			captured = append(captured, append([]byte(nil), d.Data...))
		}
		alpha.receive(d.From, d.Data)
	})
	o := beta.send(alpha, padded(rand.New(rand.NewSource(2)), 0, 10), 0)
	s.runUntil(time.Minute, "captured", func() bool { return o.reported })
	if o.err != nil || len(captured) != 1 {
		t.Fatalf("outcome %v, %d captured", o.err, len(captured))
	}
	alpha2 := s.restart(alpha, Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true}, raet.AutoAlways, false)
	rb := alpha2.byName["beta"]
	s.runUntil(time.Minute, "allowed again", func() bool { return rb.Allowed == Yes && r.Allowed == Yes })
	o = beta.send(alpha2, padded(rand.New(rand.NewSource(3)), 1, 10), 0)
	s.runUntil(time.Minute, "delivered", func() bool { return o.reported })

	attacker, err := s.net.Listen(netip.MustParseAddrPort("127.0.0.1:9999"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range captured {
		if err := attacker.WriteTo(d, alpha2.conn.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	settle := s.clk.Now().Add(10 * time.Second)
	s.runUntil(time.Minute, "settle", func() bool { return !s.clk.Now().Before(settle) })
	if o.err != nil || len(alpha2.received) != 1 {
		t.Errorf("after the restart: %v, %d delivered, want the new message only", o.err, len(alpha2.received))
	}
}

// A message to a main that lost its keep (it no longer knows the uid the
// message names, and answers unjoined) is reported failed, not sent for
// ever: the main never took it, and the sender resends it once joined again.
func TestMessageToAMainThatLostUsIsReported(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	s.restart(alpha, Config{Name: "alpha", Main: true}, raet.AutoAlways, true)
	beta.cfg.Manage = false // no alive finds out first and joins again
	o := beta.send(alpha, padded(rand.New(rand.NewSource(1)), 0, 10), 0)
	s.runUntil(time.Minute, "reported", func() bool { return o.reported })
	if o.err == nil {
		t.Errorf("reported delivered to a main that never took it")
	}
}

package road

import (
	"fmt"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// bootstrap joins, allows and alives beta with alpha, both managing presence.
func bootstrap(t *testing.T, s *sim, timers Timers) (alpha, beta *simStack, r *Remote) {
	t.Helper()
	alpha = s.add(Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true, Timers: timers}, 7560, raet.AutoAlways)
	beta = s.add(Config{Name: "beta", Manage: true, ManageCascade: true, Timers: timers}, 7561, raet.AutoAlways)
	r = newRemote(0, alpha.conn.LocalAddr())
	beta.addRemote(r)
	beta.join(r, false, true)
	s.runUntil(time.Minute, "bootstrap", func() bool {
		rb := alpha.byName["beta"]
		return r.Alived == Yes && rb != nil && rb.Alived == Yes
	})
	return alpha, beta, r
}

// A remote that stops answering is marked dead within a period and the
// aliver's timeout, and alive again once it answers.
func TestAliveDeadAndBack(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	alpha.ep.SetHandler(nil) // alpha goes deaf: its datagrams queue unread
	gone := s.clk.Now()
	s.runUntil(time.Minute, "marked dead", func() bool { return r.Alived == No })
	if d := s.clk.Now().Sub(gone); d > 5*time.Second {
		t.Errorf("marked dead after %v, want within a period (1.5 s) and the aliver's timeout (2 s)", d)
	}
	if beta.stats["aliver_timeout"] == 0 {
		t.Errorf("stats %v", beta.stats)
	}
	alpha.ep.SetHandler(func(d netsim.Datagram) { alpha.receive(d.From, d.Data) })
	s.runUntil(time.Minute, "alive again", func() bool { return r.Alived == Yes })
}

// A main reaps a remote silent for the interim; its next valid packet
// unreaps it.
func TestReapAndUnreap(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{Interim: 10 * time.Second})
	rb := alpha.byName["beta"]
	beta.ep.SetHandler(nil) // beta stops: deaf, and silent
	beta.cfg.Manage = false
	s.runUntil(time.Minute, "reaped", func() bool { return rb.Reaped })
	if rb.Alived != No || alpha.stats["remote_reap"] != 1 {
		t.Errorf("reaped remote: alived %v stats %v", rb.Alived, alpha.stats)
	}
	beta.ep.SetHandler(func(d netsim.Datagram) { beta.receive(d.From, d.Data) })
	beta.cfg.Manage = true
	// Reaped remotes are not sent alives; the remote's own alive brings it back.
	s.runUntil(time.Minute, "unreaped", func() bool { return !rb.Reaped && rb.Alived == Yes })
	if alpha.stats["remote_unreap"] != 1 {
		t.Errorf("stats %v", alpha.stats)
	}
}

// The changes of a remote come out as events, in order.
func TestEvents(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	kinds := func(st *simStack) (out []EventKind) {
		for _, e := range st.events {
			out = append(out, e.Kind)
		}
		st.events = nil
		return out
	}
	want := []EventKind{EventJoined, EventAllowed, EventAlived}
	if got := kinds(beta); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("beta's events %v, want %v", got, want)
	}
	if got := kinds(alpha); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("alpha's events %v, want %v", got, want)
	}
	alpha.ep.SetHandler(nil)
	s.runUntil(time.Minute, "lost", func() bool { return r.Alived == No })
	alpha.ep.SetHandler(func(d netsim.Datagram) { alpha.receive(d.From, d.Data) })
	s.runUntil(time.Minute, "back", func() bool { return r.Alived == Yes })
	if got := kinds(beta); fmt.Sprint(got) != fmt.Sprint([]EventKind{EventLost, EventAlived}) {
		t.Errorf("beta's events %v, want [lost alived]", got)
	}
}

// A remote that is removed is no longer managed: no alives, joins or
// allows start to it, although its place in the wake heap was taken.
func TestRemovedRemoteIsNotManaged(t *testing.T) {
	s := newSim(t, 1)
	_, beta, r := bootstrap(t, s, Timers{})
	var seq []sent
	beta.tapped(&seq)
	beta.removeRemote(r, false)
	start := s.clk.Now()
	s.runUntil(time.Minute, "30 s", func() bool { return s.clk.Now().Sub(start) > 30*time.Second })
	for _, x := range seq {
		if x.pk == raet.PcktRequest || x.pk == raet.PcktHello {
			t.Fatalf("beta started %s with a removed remote", x)
		}
	}
}

// Once an alive is answered, an idle stack's next wakeup is the next
// alive, not the retransmission the answered one no longer needs: its
// timer costs nothing between periods.
func TestIdleStackWakesOnlyForPresence(t *testing.T) {
	s := newSim(t, 1)
	_, beta, r := bootstrap(t, s, Timers{})
	for range 5 { // a few periods, each an alive each way
		s.quiesce(time.Minute)
		if len(r.transactions) != 0 {
			t.Fatalf("transactions left: %v", r.transactions)
		}
		want := r.presenceAt
		if !r.reapAt.IsZero() && r.reapAt.Before(want) {
			want = r.reapAt
		}
		if got := beta.deadline(); !got.Equal(want) {
			t.Fatalf("idle stack wakes at %v, want its next alive at %v", got.Sub(s.clk.Now()), want.Sub(s.clk.Now()))
		}
		s.step()
	}
}

// An alive answered later than its timeout still proves the remote alive:
// an overloaded peer's answers come seconds late, and a remote declared
// lost for good on them is joined again (the Salt minion's way), the
// costliest thing to ask of a peer that is only busy.
func TestLateAliveAckIsProofOfLife(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	alpha.cfg.Manage = false // only beta asks
	beta.events = beta.events[:0]
	s.net.SetLinkFaults(alpha.conn.LocalAddr(), beta.conn.LocalAddr(), netsim.Faults{Delay: 3 * time.Second})
	lost := false
	s.runUntil(time.Minute, "alive again after lost", func() bool {
		for _, ev := range beta.events {
			switch {
			case ev.Kind == EventLost:
				lost = true
			case ev.Kind == EventAlived && lost:
				return true
			}
		}
		beta.events = beta.events[:0]
		return false
	})
	if r.Alived != Yes || beta.stats["late_alive_ack"] == 0 {
		t.Errorf("alived %v, stats %v", r.Alived, beta.stats)
	}
	// Only the last alive given up, and once: a copy of its ack proves nothing more.
	if n := beta.stats["late_alive_ack"]; n > beta.stats["aliver_timeout"] {
		t.Errorf("%d late acks taken for %d alives given up", n, beta.stats["aliver_timeout"])
	}
}

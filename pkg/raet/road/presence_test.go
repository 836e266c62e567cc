package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// daemonTimers are the daemons' keep-alive timers: Salt's 3 s period, the
// reference's 2 s aliver timeout.
var daemonTimers = Timers{Period: 3 * time.Second}

// aliveRequests counts the alive requests each stack sent in seq.
func aliveRequests(seq []sent) map[string]int {
	n := map[string]int{}
	for _, x := range seq {
		if x.tk == raet.TrnsAlive && x.pk == raet.PcktRequest {
			n[x.from]++
		}
	}
	return n
}

// idlePair bootstraps alpha (a main) and beta with the daemons' timers on
// a network with the given faults, taps both, and lets them run a
// few idle periods so that whatever start-up order they had has settled.
func idlePair(t *testing.T, f netsim.Faults) (*sim, *simStack, *simStack, *[]sent) {
	t.Helper()
	s := newSim(t, 1)
	s.net.SetFaults(f)
	alpha, beta, _ := bootstrap(t, s, daemonTimers)
	var seq []sent
	alpha.tapped(&seq)
	beta.tapped(&seq)
	s.runFor(5 * daemonTimers.Period)
	seq = seq[:0]
	return s, alpha, beta, &seq
}

// Two idle estates keep each other alive with one alive exchange per
// period between them, not one each way: the side that hears its peer's
// alive answers it and lets it stand for its own (RAET's presence timer,
// restarted by any alive), and who sends is settled even when both sent at
// once, whatever the delay between them.
func TestIdlePairOneAliveExchangePerPeriod(t *testing.T) {
	for _, f := range []netsim.Faults{{}, {Delay: 200 * time.Microsecond}, {Delay: 30 * time.Millisecond},
		{Delay: time.Millisecond, Jitter: 20 * time.Millisecond}} {
		delay := f
		s, alpha, beta, seq := idlePair(t, f)
		const periods = 20
		s.runFor(periods * daemonTimers.Period)
		n := aliveRequests(*seq)
		total := n["alpha"] + n["beta"]
		if total < periods-1 || total > periods+1 {
			t.Errorf("%+v: %d alive requests in %d periods (alpha %d, beta %d), want one per period",
				delay, total, periods, n["alpha"], n["beta"])
		}
		if n["beta"] > 1 {
			t.Errorf("%+v: beta, which joined the main alpha, sent %d alives of its own, want only answers", delay, n["beta"])
		}
		for _, st := range []*simStack{alpha, beta} {
			if r := st.byName[map[string]string{"alpha": "beta", "beta": "alpha"}[st.name]]; r.Alived != Yes {
				t.Errorf("%+v: %s sees its peer %v", delay, st.name, r.Alived)
			}
			if st.stats["aliver_timeout"] != 0 || st.stats["redo_alive"] != 0 {
				t.Errorf("%+v: %s stats %v", delay, st.name, st.stats)
			}
		}
	}
}

// The side that only answers still finds its peer dead as soon as the side
// that sends would: within a period and the aliver's timeout of the last
// packet it heard from it. So does the side that sends.
func TestIdlePairDetectsADeadPeerOnBothSides(t *testing.T) {
	bound := daemonTimers.Period + 2*time.Second + 10*time.Millisecond
	for _, silent := range []string{"alpha", "beta"} {
		s, alpha, beta, seq := idlePair(t, netsim.Faults{Delay: time.Millisecond})
		s.runFor(2 * daemonTimers.Period)
		n := aliveRequests(*seq)
		sender := "alpha"
		if n["beta"] > n["alpha"] {
			sender = "beta"
		}
		dead, survivor := alpha, beta
		if silent == "beta" {
			dead, survivor = beta, alpha
		}
		r := survivor.byName[dead.name]
		// The silent one stops at once: it neither reads nor sends.
		dead.ep.SetHandler(nil)
		dead.cfg.Manage = false
		s.runUntil(time.Minute, "marked dead", func() bool { return r.Alived == No })
		last := lastFrom(*seq, dead.name)
		if d := s.clk.Now().Sub(last); d > bound {
			t.Errorf("%s (the sender was %s) marked dead %v after its last packet, want within %v",
				dead.name, sender, d, bound)
		}
	}
}

// lastFrom is when the last packet a stack sent in seq was sent.
func lastFrom(seq []sent, name string) time.Time {
	var at time.Time
	for _, x := range seq {
		if x.from == name {
			at = x.at
		}
	}
	return at
}

// An idle stack's loop sleeps until its next alive is due, on either side
// of the exchange: no wake for a retransmission the answered alive no
// longer needs, none for the alive it will not send because its peer's
// came first.
func TestIdlePairTimersFireOnlyWhenDue(t *testing.T) {
	s, alpha, beta, seq := idlePair(t, netsim.Faults{Delay: time.Millisecond})
	wakes := map[string]int{}
	for end := s.clk.Now().Add(10 * daemonTimers.Period); s.clk.Now().Before(end); {
		if !s.step() {
			t.Fatal("the simulation stopped")
		}
		for _, st := range []*simStack{alpha, beta} {
			if st.lastService.Equal(s.clk.Now()) {
				wakes[st.name]++
			}
		}
	}
	n := aliveRequests(*seq)
	for _, name := range []string{"alpha", "beta"} {
		if wakes[name] > n[name]+1 {
			t.Errorf("%s woke %d times for %d alives of its own", name, wakes[name], n[name])
		}
	}
}

// A peer that sends its own alive every period whatever it hears, as the
// reference does, still works both ways. A main that does keeps this
// stack's remote alive, this stack answering and sending none of its own;
// with an estate that joined this main, both send. Either way, once that
// peer falls silent this stack finds it dead within a period and the
// aliver's timeout of the last packet it heard.
func TestIdlePairWithAPeerThatAlwaysSends(t *testing.T) {
	for _, always := range []string{"alpha", "beta"} {
		s, alpha, beta, seq := idlePair(t, netsim.Faults{Delay: time.Millisecond})
		peer, us := alpha, beta
		if always == "beta" {
			peer, us = beta, alpha
		}
		peer.cfg.Manage = false // its alives come from the loop below
		r, rp := peer.byName[us.name], us.byName[peer.name]
		for range 10 {
			peer.alive(r, false)
			s.runExactly(daemonTimers.Period)
		}
		n := aliveRequests(*seq)
		if n[peer.name] != 10 || (always == "alpha" && n[us.name] != 0) || rp.Alived != Yes || r.Alived != Yes {
			t.Fatalf("%s always sends: alive requests %v, %s sees it %v, it sees %s %v",
				always, n, us.name, rp.Alived, us.name, r.Alived)
		}
		peer.ep.SetHandler(nil)
		s.runUntil(time.Minute, "marked dead", func() bool { return rp.Alived == No })
		last := lastFrom(*seq, peer.name)
		if d, bound := s.clk.Now().Sub(last), daemonTimers.Period+2*time.Second+10*time.Millisecond; d > bound {
			t.Errorf("%s always sends: marked dead %v after its last packet, want within %v", always, d, bound)
		}
	}
}

// runExactly does what happens in the next d of simulated time, and leaves
// the clock at its end.
func (s *sim) runExactly(d time.Duration) {
	end := s.clk.Now().Add(d)
	for {
		next, ok := s.net.Next()
		for _, st := range s.stacks {
			if at := st.deadline(); !at.IsZero() && (!ok || at.Before(next)) {
				next, ok = at, true
			}
		}
		if !ok || next.After(end) {
			break
		}
		s.step()
	}
	if rest := end.Sub(s.clk.Now()); rest > 0 {
		s.clk.Advance(rest)
	}
}

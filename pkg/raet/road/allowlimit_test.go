package road

import (
	"fmt"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// slowReceiver stands for a main behind on its socket: what reaches it
// queues, stamped with its arrival as the kernel stamps it, and the main
// takes one datagram each svc. A hello dropped for its age costs a
// twentieth of that (it is dropped before its signature is checked).
type slowReceiver struct {
	st        *simStack
	svc       time.Duration
	q         []netsim.Datagram
	at        []time.Time
	busyUntil time.Time
	longest   int
}

func newSlowReceiver(s *sim, st *simStack, svc time.Duration) *slowReceiver {
	q := &slowReceiver{st: st, svc: svc}
	st.ep.SetHandler(func(d netsim.Datagram) {
		q.q, q.at = append(q.q, d), append(q.at, s.clk.Now())
		q.longest = max(q.longest, len(q.q))
	})
	s.extra = append(s.extra, q)
	return q
}

func (q *slowReceiver) next() (time.Time, bool) { return q.busyUntil, len(q.q) > 0 }

func (q *slowReceiver) run(now time.Time) {
	for len(q.q) > 0 && !q.busyUntil.After(now) {
		d, at := q.q[0], q.at[0]
		q.q, q.at = q.q[1:], q.at[1:]
		stale := q.st.stats["allow_hello_stale_dropped"]
		q.st.receiveAt(d.From, d.Data, at)
		cost := q.svc
		if q.st.stats["allow_hello_stale_dropped"] > stale {
			cost /= 20
		}
		q.busyUntil = now.Add(cost)
	}
}

// A storm of allows through a main that takes a datagram each 10 ms, far
// fewer than the estates' hellos and their repeats: the main never has
// more than MaxAllowing allows under way, drops the hellos beyond them
// unanswered, and every estate ends joined and allowed on both sides.
// Without the bound the main answered every hello it read and held an
// allowent for each.
func TestAllowStormBoundedThroughSlowMain(t *testing.T) {
	const n, maxAllowing = 40, 4
	s := newSim(t, 11)
	s.net.SetFaults(netsim.Faults{Delay: time.Millisecond, Jitter: 2 * time.Millisecond})
	timers := Timers{Period: 6 * time.Second}
	main := s.add(Config{Name: "main", Main: true, Mutable: true, MaxAllowing: maxAllowing, Timers: timers,
		Manage: true, ManageCascade: true, AwaitJoiners: true}, 7800, raet.AutoAlways)
	slow := newSlowReceiver(s, main, 10*time.Millisecond)
	var joiners []*Remote
	for i := range n {
		st := s.add(Config{Name: fmt.Sprintf("m%02d", i), Timers: timers, Manage: true, ManageCascade: true}, uint16(7801+i), raet.AutoAlways)
		r := newRemote(0, main.conn.LocalAddr())
		st.addRemote(r)
		st.join(r, false, true)
		joiners = append(joiners, r)
	}
	s.runUntil(10*time.Minute, "every estate allowed", func() bool {
		for _, r := range joiners {
			if r.Allowed != Yes {
				return false
			}
		}
		for i := range n {
			if r := main.byName[fmt.Sprintf("m%02d", i)]; r == nil || r.Allowed != Yes {
				return false
			}
		}
		return true
	})
	if main.mostAllowing > maxAllowing {
		t.Errorf("%d allows under way at once, MaxAllowing %d", main.mostAllowing, maxAllowing)
	}
	if main.mostAllowing == 0 || main.stats["allow_admission_dropped"] == 0 {
		t.Errorf("the storm never reached MaxAllowing (most %d, stats %v)", main.mostAllowing, main.stats)
	}
	if len(main.remotes) != n {
		t.Errorf("the main holds %d remotes for %d estates", len(main.remotes), n)
	}
	t.Logf("longest queue %d datagrams; stats %v", slow.longest, main.stats)
}

// The bound counts allows until their initiate is acked, and forgets
// those that ended any other way: a remote removed with its allow under
// way frees its place.
func TestAllowingForgetsEndedAllowents(t *testing.T) {
	s := newSim(t, 2)
	alpha := s.add(Config{Name: "alpha", Main: true, MaxAllowing: 1}, 7830, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7831, raet.AutoAlways)
	dropInitiates := true
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); dropInitiates && err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktInitiate {
			return
		}
		alpha.receive(d.From, d.Data)
	})
	r := joinAllow(beta, alpha)
	s.runUntil(time.Minute, "beta's allow under way at alpha", func() bool { return len(alpha.allowing) == 1 })
	rb := alpha.byName["beta"]
	alpha.removeRemote(rb, true)
	if !alpha.admitAllow(nil) {
		t.Fatalf("a removed remote's allow still holds the only place: %d under way", len(alpha.allowing))
	}
	if alpha.hellos.full.Load() {
		t.Fatalf("the workers are still told the main is full")
	}
	dropInitiates = false
	beta.removeRemote(r, true)
	r = joinAllow(beta, alpha)
	s.runUntil(time.Minute, "beta joined and allowed again", func() bool { return r.Allowed == Yes })
	if n := len(alpha.allowing); n != 0 {
		t.Fatalf("%d allows counted under way after the allow ended", n)
	}
}

// A hello that waited in the socket longer than HelloMaxAge is dropped
// before its signature is checked, counted by reason, and not answered;
// its allower's next copy, fresh, is.
func TestStaleHelloDropped(t *testing.T) {
	s := newSim(t, 4)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7840, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7841, raet.AutoAlways)
	if got, want := alpha.helloMaxAge(), 2*time.Second; got != want {
		t.Fatalf("default HelloMaxAge %v, want half the allow timeout, %v", got, want)
	}
	staleHellos := 1
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		at := s.clk.Now()
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktHello && staleHellos > 0 {
			staleHellos--
			at = at.Add(-3 * time.Second) // as if it had waited 3 s in the socket
		}
		alpha.receiveAt(d.From, d.Data, at)
	})
	cookies := 0
	beta.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktCookie {
			cookies++
		}
		beta.receive(d.From, d.Data)
	})
	r := joinAllow(beta, alpha)
	s.runUntil(time.Minute, "the first hello dropped", func() bool { return alpha.stats["allow_hello_stale_dropped"] > 0 })
	if cookies != 0 || len(alpha.allowing) != 0 || alpha.stats["allow_hello_worked"] != 0 {
		t.Fatalf("a stale hello was answered: %d cookies, %d allows under way, stats %v", cookies, len(alpha.allowing), alpha.stats)
	}
	s.runUntil(time.Minute, "allowed by the hello's next copy", func() bool { return r.Allowed == Yes })
	sameSession(t, alpha, beta)
	if alpha.stats["allow_hello_stale_dropped"] != 1 || cookies == 0 {
		t.Fatalf("%d cookies; stats %v", cookies, alpha.stats)
	}
}

// joinAllow makes st know main at its address, and join and allow it.
func joinAllow(st, main *simStack) *Remote {
	r := newRemote(0, main.conn.LocalAddr())
	st.addRemote(r)
	st.join(r, false, true)
	return r
}

// An allowent whose hello waited in the socket gives up an allow timeout
// after the hello's receipt, when its allower does, not a whole timeout
// after the loop read it: its place under MaxAllowing is free for the
// next allower at once.
func TestAllowentExpiresFromHelloReceipt(t *testing.T) {
	s := newSim(t, 5)
	alpha := s.add(Config{Name: "alpha", Main: true, MaxAllowing: 1, HelloMaxAge: time.Minute}, 7850, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7851, raet.AutoAlways)
	var helloRead time.Time
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		at := s.clk.Now()
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow {
			if p.PK == raet.PcktInitiate {
				return // the allower never gets through
			}
			if p.PK == raet.PcktHello && helloRead.IsZero() {
				helloRead = at
				at = at.Add(-3 * time.Second) // it waited 3 s in the socket
			}
		}
		alpha.receiveAt(d.From, d.Data, at)
	})
	joinAllow(beta, alpha)
	s.runUntil(time.Minute, "the aged hello answered", func() bool { return len(alpha.allowing) == 1 })
	s.runUntil(time.Minute, "the allowent ended", func() bool {
		return len(alpha.allowing) == 0 || s.clk.Now().Sub(helloRead) > 2*time.Second
	})
	if len(alpha.allowing) != 0 {
		t.Fatalf("the allowent of a hello received 3 s before its reading still waits 2 s after (stats %v)", alpha.stats)
	}
	if alpha.stats["allowent_timeout"] != 1 {
		t.Fatalf("stats %v", alpha.stats)
	}
}

// A main full of allows serves the newest hellos first: a copy of a hello
// it dropped for want of room, read once room is made but more than
// HelloMaxAge after the first copy, starts no allow (its allower is about
// to give up); the allower's next attempt, a fresh hello, does.
func TestLateHelloCopyNotAdmitted(t *testing.T) {
	s := newSim(t, 6)
	alpha := s.add(Config{Name: "alpha", Main: true, MaxAllowing: 1}, 7860, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7861, raet.AutoAlways)
	gamma := s.add(Config{Name: "gamma"}, 7862, raet.AutoAlways)
	gammaAddr := gamma.conn.LocalAddr()
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && d.From == gammaAddr && p.TK == raet.TrnsAllow && p.PK == raet.PcktInitiate {
			return // gamma's allow holds the only place
		}
		alpha.receive(d.From, d.Data)
	})
	cookies := 0
	beta.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktCookie {
			cookies++
		}
		beta.receive(d.From, d.Data)
	})
	joinAllow(gamma, alpha)
	s.runUntil(time.Minute, "gamma's allow under way", func() bool { return len(alpha.allowing) == 1 })
	rb := joinAllow(beta, alpha)
	s.runUntil(time.Minute, "beta's hello dropped for room", func() bool { return alpha.stats["allow_admission_dropped"] > 0 })
	first := s.clk.Now()
	s.runUntil(time.Minute, "2.5 s of beta's hello copies", func() bool { return s.clk.Now().Sub(first) > 2500*time.Millisecond })
	alpha.removeRemote(alpha.byName["gamma"], true) // room, late in beta's allow
	s.runUntil(time.Minute, "beta's allow given up", func() bool { return beta.stats["allower_timeout"] > 0 })
	if cookies != 0 || alpha.stats["allow_hello_late_dropped"] == 0 {
		t.Fatalf("a late copy of a hello was answered: %d cookies, stats %v", cookies, alpha.stats)
	}
	beta.allow(rb, false)
	s.runUntil(time.Minute, "beta allowed by a fresh hello", func() bool { return rb.Allowed == Yes })
	sameSession(t, alpha, beta)
}

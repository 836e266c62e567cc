package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// Traffic of the session stands for the alives: a remote that sends a
// message, or answers one of ours, within each period needs no alive from
// either side (the messages' refresh), so a job to all replaces a round of
// the main's alives.
func TestTrafficStandsForAlives(t *testing.T) {
	for _, dir := range []string{"beta to alpha", "alpha to beta"} {
		s, alpha, beta, seq := idlePair(t, netsimDelay(time.Millisecond))
		from, to := beta, alpha
		if dir == "alpha to beta" {
			from, to = alpha, beta
		}
		const periods = 10
		i := 0
		s.every(2*time.Second, func() {
			from.send(to, body.Map{{Key: "n", Value: i}}, 0)
			i++
		})
		s.runFor(periods * daemonTimers.Period)
		if i < periods {
			t.Fatalf("%d messages sent", i)
		}
		if n := aliveRequests(*seq); n["alpha"]+n["beta"] > 0 {
			t.Errorf("%s, a message every 2 s: alives sent %v, want none", dir, n)
		}
	}
}

// A remote whose alive answers are lost but which answers other traffic
// of ours (a message's) is not found dead when an alive goes unanswered:
// it hears us. The main would otherwise report it lost, and a minion join
// its master again, each time an answer came late.
func TestAnsweredTrafficIsNotDeath(t *testing.T) {
	s, alpha, beta, _ := idlePair(t, netsimDelay(time.Millisecond))
	var bseq []sent
	bt := beta.tapped(&bseq)
	bt.act = func(_ int, x sent) (int, bool) {
		if x.tk == raet.TrnsAlive && x.pk == raet.PcktAck {
			return 0, false // beta's alive acks are lost
		}
		return 1, false
	}
	// A message every 4 s: alpha's alive goes 3 s after the last answer
	// and would time out 2 s later, after the next message's answer.
	i := 0
	send := func() {
		alpha.send(beta, body.Map{{Key: "n", Value: i}}, 0)
		i++
	}
	send()
	s.every(4*time.Second, send)
	s.runFor(30 * time.Second)
	if alpha.stats["aliver_timeout"] == 0 {
		t.Fatalf("no alive of alpha timed out: the test does not test (stats %v)", alpha.stats)
	}
	if alpha.stats["event_lost"] != 0 || alpha.byName["beta"].Alived != Yes {
		t.Errorf("alpha lost beta %d times (now %v), want never: beta answered its messages",
			alpha.stats["event_lost"], alpha.byName["beta"].Alived)
	}
}

// A late ack of an alive (to a repeat, or to one given up) is a verified
// packet of the session: the remote is alive, found so again at once, and
// its presence timer starts over.
func TestLateAliveAckRefreshesPresence(t *testing.T) {
	s, alpha, beta, _ := idlePair(t, netsimDelay(time.Millisecond))
	rb := alpha.byName["beta"]
	var bseq []sent
	bt := beta.tapped(&bseq)
	bt.act = func(_ int, x sent) (int, bool) {
		if x.tk == raet.TrnsAlive && x.pk == raet.PcktAck {
			return 0, true // held
		}
		return 1, false
	}
	s.runUntil(time.Minute, "lost", func() bool { return rb.Alived == No })
	before := alpha.stats["event_alived"]
	bt.act = nil
	bt.release()
	s.runUntil(time.Second, "alive again", func() bool { return rb.Alived == Yes })
	if alpha.stats["event_alived"] != before+1 || alpha.stats["stale_alive_ack"] == 0 {
		t.Errorf("stats %v", alpha.stats)
	}
	if d := rb.presenceAt.Sub(s.clk.Now()); d < daemonTimers.Period-100*time.Millisecond {
		t.Errorf("next alive in %v, want a period", d)
	}
}

func netsimDelay(d time.Duration) netsim.Faults { return netsim.Faults{Delay: d} }

// ticker is a simEvent that runs fn every period.
type ticker struct {
	at     time.Time
	period time.Duration
	fn     func()
}

func (k *ticker) next() (time.Time, bool) { return k.at, true }
func (k *ticker) run(now time.Time) {
	k.at = now.Add(k.period)
	k.fn()
}

// every runs fn every period of simulated time from now on.
func (s *sim) every(period time.Duration, fn func()) {
	s.extra = append(s.extra, &ticker{at: s.clk.Now().Add(period), period: period, fn: fn})
}

// A remote whose answers come later than the aliver's timeout (a loaded
// main's own queue in a storm) is found dead once, alive again by the late
// answer, and from then on given twice the timeout: not lost and found
// again every period, each a presence event for Salt.
func TestSlowAnswersStretchTheTimeout(t *testing.T) {
	s, alpha, beta, _ := idlePair(t, netsimDelay(time.Millisecond))
	rb := alpha.byName["beta"]
	s.net.SetLinkFaults(beta.ep.LocalAddr(), alpha.ep.LocalAddr(), netsim.Faults{Delay: 2500 * time.Millisecond})
	s.runFor(60 * time.Second)
	if lost := alpha.stats["event_lost"]; lost > 1 || alpha.stats["aliver_timeout_stretched"] == 0 {
		t.Errorf("beta lost %d times in 60 s, want at most once (stats %v)", lost, alpha.stats)
	}
	// Stretched, an alive goes at most twice: its answer is late, not lost.
	if redo, n := alpha.stats["redo_alive"], alpha.stats["aliver_timeout_stretched"]; redo > n+2 {
		t.Errorf("%d repeats of %d stretched alives, want one each at most", redo, n)
	}
	s.runUntil(10*time.Second, "alive", func() bool { return rb.Alived == Yes })
}

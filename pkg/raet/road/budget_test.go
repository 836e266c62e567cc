package road

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// budgetMain is a main with its presence budget and n estates at the
// emulated minions' timers (6 s period, 5 s alive timeout: followers up to
// 7.5 s between the main's alives), all joined, allowed and settled, with
// a tap on the main.
func budgetMain(t *testing.T, rate, n int) (*sim, *simStack, []*simStack, *[]sent) {
	t.Helper()
	s := newSim(t, 5)
	s.net.SetFaults(netsim.Faults{Delay: time.Millisecond, Jitter: time.Millisecond})
	main := s.add(Config{Name: "master", Main: true, Manage: true, ManageCascade: true, PresenceRate: rate,
		Timers: daemonTimers}, 7560, raet.AutoAlways)
	var estates []*simStack
	for i := range n {
		st := s.add(Config{Name: fmt.Sprintf("minion%d", i), Manage: true, ManageCascade: true,
			Timers: Timers{Period: 6 * time.Second, AliverTimeout: 5 * time.Second}}, uint16(7570+i), raet.AutoAlways)
		st.joinTo(main)
		estates = append(estates, st)
	}
	s.runUntil(time.Minute, "all allowed", func() bool {
		for _, st := range estates {
			if r := main.byName[st.name]; r == nil || r.Alived != Yes {
				return false
			}
		}
		return true
	})
	s.runFor(20 * time.Second)
	var seq []sent
	main.tapped(&seq)
	for _, st := range estates {
		st.tapped(&seq)
	}
	return s, main, estates, &seq
}

// mostWithin is the most alive requests a stack sent within any window of
// length d.
func mostWithin(seq []sent, from string, d time.Duration) int {
	var at []time.Time
	for _, x := range seq {
		if x.from == from && x.tk == raet.TrnsAlive && x.pk == raet.PcktRequest {
			at = append(at, x.at)
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	most := 0
	for i, j := 0, 0; j < len(at); j++ {
		for at[j].Sub(at[i]) >= d {
			i++
		}
		most = max(most, j-i+1)
	}
	return most
}

// A main with more estates than its budget covers in a period starts no
// more alives a second than the budget, even right after a message to all
// restarted every presence timer at once; each estate is still alived
// (every estates/rate seconds) and none is lost. Right after the message
// to all the last slots come later than some estates' wait (their period,
// the message having restarted it), so those send an alive of their own,
// which the main answers; once spread, the estates only answer.
func TestPresenceBudgetBoundsAndSpreads(t *testing.T) {
	const rate, n = 10, 50 // 5 s between a main's alives to an estate
	s, main, estates, seq := budgetMain(t, rate, n)
	for _, st := range estates { // a job to all
		main.send(st, body.Map{{Key: "fun", Value: "test.ping"}}, 0)
	}
	s.runFor(30 * time.Second)
	if most := mostWithin(*seq, "master", time.Second); most > rate+rate/10+1 {
		t.Errorf("after a message to all, the main started %d alives within a second, want at most its budget %d", most, rate)
	}
	*seq = (*seq)[:0]
	s.runFor(60 * time.Second)
	req := aliveRequests(*seq)
	if most := mostWithin(*seq, "master", time.Second); most > rate+rate/10+1 {
		t.Errorf("the main started %d alives within a second, want at most its budget %d", most, rate)
	}
	if req["master"] < 60*rate*8/10 {
		t.Errorf("the main started %d alives in 60 s, want about its budget (%d)", req["master"], 60*rate)
	}
	for _, st := range estates {
		if req[st.name] > 0 {
			t.Errorf("%s sent %d alives of its own: the main's came later than its follower wait", st.name, req[st.name])
		}
		if r := main.byName[st.name]; r.Alived != Yes {
			t.Errorf("%s %v to the main", st.name, r.Alived)
		}
	}
	if main.stats["event_lost"] != 0 || main.stats["aliver_timeout"] != 0 || main.stats["presence_deferred"] == 0 {
		t.Errorf("main stats %v", main.stats)
	}
}

// Without the bound (PresenceRate negative) the same main alives every
// estate each period: the test above measures the budget, not the period.
func TestPresenceBudgetUnbounded(t *testing.T) {
	const n = 50
	s, _, _, seq := budgetMain(t, -1, n)
	s.runFor(30 * time.Second)
	if got := aliveRequests(*seq)["master"]; got < 30/3*n*9/10 {
		t.Errorf("unbounded: the main started %d alives in 30 s, want one an estate a period (%d)", got, 30/3*n)
	}
}

// Slots given up (the remotes' timers restarted by their own alives before
// the slot came) do not push the next free slot ever further ahead: none
// lies beyond one stretched period, estates/rate, so a main whose estates
// lead still alives one that fell silent.
func TestPresenceBudgetHorizon(t *testing.T) {
	now := time.Unix(1000, 0)
	c := &core{cfg: Config{PresenceRate: 100}, remotes: map[uint32]*Remote{}, stats: map[string]uint64{}}
	var rs []*Remote
	for i := range 500 {
		r := &Remote{}
		c.remotes[uint32(i+1)] = r
		rs = append(rs, r)
	}
	horizon := 500 * time.Second / 100
	for step := range 60 { // a minute of 200 due a second against a budget of 100
		now = now.Add(time.Second)
		for _, r := range rs[:200] {
			c.presenceSlot(r, now)
			r.budgetSlot = false // its own alive came first: the slot is given up
		}
		if d := c.presenceTAT.Sub(now); d > horizon+time.Second/100 {
			t.Fatalf("after %d s the next free slot is %v ahead, want at most %v", step+1, d, horizon)
		}
	}
}

package road

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// The convergence property: whatever a storm did to the sessions between
// a master and its minions (datagrams lost, duplicated and held for
// seconds in overloaded queues; minions that found the master silent and
// joined it again; allows redone), once the network is sound again every
// minion ends joined and allowed on both sides, and a message each way is
// delivered. A 10,000-minion storm on one machine left a few minions the
// master held "joining" or not allowed, and every job after it waited out
// its timeout for them.

// convergeSeeds is how many seeds the property runs: RAET_CONVERGE_SEEDS
// asks for more.
func convergeSeeds(t *testing.T) int { return seedsFromEnv(t, "RAET_CONVERGE_SEEDS", 60) }

func TestConvergenceAfterStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many seeds")
	}
	first := int64(1)
	if v := os.Getenv("RAET_CONVERGE_FIRST"); v != "" {
		first, _ = strconv.ParseInt(v, 10, 64)
	}
	for seed := first; seed < first+int64(convergeSeeds(t)); seed++ {
		t.Run(fmt.Sprintf("seed_%d", seed), func(t *testing.T) {
			t.Parallel()
			convergeRun(t, seed)
		})
	}
}

// lostRejoiner does what the Salt minion does when its road says the
// master stopped answering: join it again after a random wait of up to
// two periods, unless it answers first (pkg/salt/minion/lostrejoin.go).
type lostRejoiner struct {
	st     *simStack
	rng    *rand.Rand
	window time.Duration
	due    map[uint32]time.Time
}

func (l *lostRejoiner) next() (time.Time, bool) {
	var at time.Time
	for _, d := range l.due {
		if at.IsZero() || d.Before(at) {
			at = d
		}
	}
	return at, !at.IsZero()
}

func (l *lostRejoiner) run(now time.Time) {
	for uid, d := range l.due {
		if !d.After(now) {
			delete(l.due, uid)
			if r := l.st.remotes[uid]; r != nil {
				l.st.rejoin(r, true)
			}
		}
	}
}

// follow takes the stack's events as the minion's event loop does.
func (l *lostRejoiner) follow(now time.Time) {
	for _, ev := range l.st.events {
		switch ev.Kind {
		case EventLost:
			l.due[ev.UID] = now.Add(time.Duration(l.rng.Int63n(int64(l.window))))
		case EventAllowed, EventAlived:
			delete(l.due, ev.UID)
		}
	}
	l.st.events = l.st.events[:0]
}

func convergeRun(t *testing.T, seed int64) {
	s := newSim(t, seed)
	rng := rand.New(rand.NewSource(seed))
	// The master's and the emulated minions' timers in the storm runs
	// (salt-load -period 6s -alive-timeout 5s); a bound on allows under way
	// small enough for a few minions to meet it.
	main := s.add(Config{Name: "master", Main: true, Manage: true, ManageCascade: true, AwaitJoiners: true,
		MaxAllowing: 2, Timers: Timers{Period: 3 * time.Second, JoinentTimeout: Never}}, 7560, raet.AutoAlways)
	minionTimers := Timers{Period: 6 * time.Second, AliverTimeout: 5 * time.Second}
	const n = 4
	var minions []*simStack
	var rejoiners []*lostRejoiner
	var toMain []*Remote
	for i := range n {
		st := s.add(Config{Name: fmt.Sprintf("minion%d", i), Manage: true, ManageCascade: true, Timers: minionTimers},
			uint16(7570+i), raet.AutoAlways)
		l := &lostRejoiner{st: st, rng: rand.New(rand.NewSource(seed*100 + int64(i))), window: 2 * minionTimers.Period, due: map[uint32]time.Time{}}
		s.extra = append(s.extra, l)
		minions, rejoiners = append(minions, st), append(rejoiners, l)
		r := newRemote(0, main.conn.LocalAddr())
		r.Name = "estate_master"
		st.addRemote(r)
		toMain = append(toMain, r)
	}
	step := func() bool {
		ok := s.step()
		now := s.clk.Now()
		for _, l := range rejoiners {
			l.follow(now)
		}
		main.events = main.events[:0]
		return ok
	}
	// The storm: every minion joins at once into a network that loses,
	// repeats and holds datagrams as an overloaded host's queues do.
	storm := netsim.Faults{Loss: 0.2 + rng.Float64()*0.3, Duplicate: 0.05, Delay: 10 * time.Millisecond,
		Jitter: time.Duration(500+rng.Intn(4000)) * time.Millisecond}
	s.net.SetFaults(storm)
	for i, st := range minions {
		st.join(toMain[i], false, true)
	}
	end := s.clk.Now().Add(time.Duration(30+rng.Intn(60)) * time.Second)
	for s.clk.Now().Before(end) {
		if !step() {
			break
		}
		if rng.Intn(4000) == 0 { // now and then a minion joins or allows again on its own
			i := rng.Intn(n)
			if rng.Intn(2) == 0 {
				minions[i].rejoin(toMain[i], true)
			} else {
				minions[i].allow(toMain[i], true)
			}
		}
	}
	s.net.SetFaults(netsim.Faults{Delay: time.Millisecond})
	healed := s.clk.Now()
	converged := func() bool {
		for i, st := range minions {
			r, rm := toMain[i], main.byName[st.name]
			if r.Joined != Yes || r.Allowed != Yes || rm == nil || rm.Joined != Yes || rm.Allowed != Yes {
				return false
			}
		}
		return true
	}
	limit := 3 * time.Minute
	for !converged() {
		if !step() || s.clk.Now().Sub(healed) > limit {
			convergeDump(t, main, minions, toMain)
			t.Fatalf("seed %d (storm %+v): not joined and allowed on both sides within %v of the network healing", seed, storm, limit)
		}
	}
	// Sessions in step: a message each way arrives.
	outs := make([]*outcome, 2*n)
	for i, st := range minions {
		outs[2*i], outs[2*i+1] = &outcome{}, &outcome{}
		main.message(main.byName[st.name], padded(rng, 2*i, 100), 30*time.Second, outs[2*i].report)
		st.message(toMain[i], padded(rng, 2*i+1, 100), 30*time.Second, outs[2*i+1].report)
	}
	for {
		done := true
		for _, o := range outs {
			done = done && o.reported
		}
		if done {
			break
		}
		if !step() || s.clk.Now().Sub(healed) > limit+time.Minute {
			break
		}
	}
	for i, o := range outs {
		if !o.reported || o.err != nil {
			convergeDump(t, main, minions, toMain)
			t.Fatalf("seed %d (storm %+v): message %d after convergence: reported %v, %v", seed, storm, i, o.reported, o.err)
		}
	}
}

func convergeDump(t *testing.T, main *simStack, minions []*simStack, toMain []*Remote) {
	for i, st := range minions {
		r, rm := toMain[i], main.byName[st.name]
		t.Logf("%s -> master: joined %v allowed %v alived %v sid %d rsid %d fuid %d, %d transactions", st.name, r.Joined, r.Allowed, r.Alived, r.SID, r.RSID, r.FUID, len(r.transactions))
		for idx, tx := range r.transactions {
			t.Logf("    %+v %T", idx, tx)
		}
		if rm == nil {
			t.Logf("master -> %s: unknown", st.name)
			continue
		}
		t.Logf("master -> %s: joined %v allowed %v alived %v sid %d rsid %d fuid %d, %d transactions", st.name, rm.Joined, rm.Allowed, rm.Alived, rm.SID, rm.RSID, rm.FUID, len(rm.transactions))
		for idx, tx := range rm.transactions {
			t.Logf("    %+v %T", idx, tx)
		}
		t.Logf("%s stats %v", st.name, st.stats)
	}
	t.Logf("master stats %v", main.stats)
}

// A minion that joins its master again while its datagrams do not reach
// the master, until its joiner gives up, joins once they do: the
// master's alives, which it cannot answer in a way the master reads (a
// vacuous rejoin forgot the uid the master gave it), do not put off its
// own presence, which joins. Before, every alive pushed the minion's
// presence timer a period on, and the two stayed apart for good.
func TestRejoinWhileMasterLeadsAlives(t *testing.T) {
	s := newSim(t, 1)
	main := s.add(Config{Name: "master", Main: true, Manage: true, ManageCascade: true, AwaitJoiners: true,
		Timers: Timers{Period: 3 * time.Second, JoinentTimeout: Never}}, 7560, raet.AutoAlways)
	minion := s.add(Config{Name: "minion", Manage: true, ManageCascade: true,
		Timers: Timers{Period: 6 * time.Second, AliverTimeout: 5 * time.Second}}, 7561, raet.AutoAlways)
	r := minion.joinTo(main)
	r.Name = "estate_master"
	minion.join(r, false, true)
	s.runUntil(time.Minute, "allowed", func() bool {
		rm := main.byName["minion"]
		return r.Allowed == Yes && rm != nil && rm.Allowed == Yes
	})
	s.net.SetLinkFaults(minion.conn.LocalAddr(), main.conn.LocalAddr(), netsim.Faults{Loss: 1})
	minion.rejoin(r, true)
	s.runUntil(5*time.Minute, "the rejoin given up", func() bool { return len(r.transactions) == 0 })
	s.net.SetLinkFaults(minion.conn.LocalAddr(), main.conn.LocalAddr(), netsim.Faults{})
	healed := s.clk.Now()
	s.runUntil(time.Minute, "joined and allowed again", func() bool { return r.Joined == Yes && r.Allowed == Yes })
	if d := s.clk.Now().Sub(healed); d > 10*time.Second {
		t.Errorf("joined and allowed again %v after the link healed, want within the minion's period and a round trip", d)
	}
}

// A minion whose session gave up (an allow that timed out in a storm)
// while its master still holds one allows again when the master's next
// message finds no session, rather than refusing the master's messages
// until its presence notices, a period or more later.
func TestUnallowedMessageAllowsAgain(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	beta.cfg.Manage = false // only the message can bring it back
	alpha.cfg.Manage = false
	r.Allowed = No
	o := &outcome{}
	alpha.message(alpha.byName["beta"], padded(rand.New(rand.NewSource(1)), 0, 100), 10*time.Second, o.report)
	s.runUntil(time.Minute, "allowed again", func() bool { return r.Allowed == Yes })
	if beta.stats["unallowed_message_allow"] != 1 {
		t.Errorf("stats %v", beta.stats)
	}
}

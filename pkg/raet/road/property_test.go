package road

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// The delivery property: over a network that loses, duplicates and
// reorders, with joins and allows redone while messages are in flight,
// every message is either delivered to the receiving application exactly
// once and reported delivered to its sender, or reported failed to its
// sender. It is never reported delivered without having arrived, and never
// arrives twice. A failure may still have arrived once (its done was lost
// until the sender gave up): the sender cannot know, and says so.

// propertySeeds is how many seeds the property runs: RAET_PROPERTY_SEEDS
// asks for more (or fewer) than the 200 of every test run.
func propertySeeds(t *testing.T) int { return seedsFromEnv(t, "RAET_PROPERTY_SEEDS", 200) }

// seedsFromEnv is how many seeds a property runs: def, unless the
// environment variable asks for another count.
func seedsFromEnv(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive count", name, v)
	}
	return n
}

func TestDeliveryProperty(t *testing.T) {
	n := propertySeeds(t)
	start := time.Now()
	var mu sync.Mutex
	sent, failures := 0, map[string]int{}
	// Seeds run side by side: a run spends most of its time waiting for
	// the keep's files to reach the disk.
	seeds := make(chan int64)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				t.Run(fmt.Sprintf("seed_%d", seed), func(t *testing.T) {
					f := map[string]int{}
					m, _ := deliveryRun(t, seed, netsim.Faults{Loss: 0.3, Duplicate: 0.05, Delay: time.Millisecond, Jitter: 4 * time.Millisecond}, f)
					mu.Lock()
					defer mu.Unlock()
					sent += m
					for k, v := range f {
						failures[k] += v
					}
				})
			}
		}()
	}
	for seed := int64(1); seed <= int64(n); seed++ {
		seeds <- seed
	}
	close(seeds)
	wg.Wait()
	t.Logf("%d seeds, %d messages in %v; reported failed: %v", n, sent, time.Since(start).Round(time.Millisecond), failures)
}

// A seed replays the same run exactly, so that a seed the property fails
// on can be run again and followed: the same counters on both stacks at
// the same simulated time.
func TestDeliveryRunReplays(t *testing.T) {
	faults := netsim.Faults{Loss: 0.3, Duplicate: 0.05, Delay: time.Millisecond, Jitter: 4 * time.Millisecond}
	for seed := int64(1); seed <= 20; seed++ {
		_, first := deliveryRun(t, seed, faults, map[string]int{})
		for range 2 {
			if _, again := deliveryRun(t, seed, faults, map[string]int{}); again != first {
				t.Fatalf("seed %d ran differently:\n%s\n%s", seed, first, again)
			}
		}
	}
}

// perturbation is something done to the stacks at a simulated time: a
// message sent, or a join or allow started again.
type perturbation struct {
	at time.Duration
	do func()
}

// deliveryRun runs one seed of the property, counts the failures its
// senders were told by error, and reports how many messages it sent.
// It returns how many messages it sent, and a trace of the run: both
// stacks' counters and the simulated time it took.
func deliveryRun(t *testing.T, seed int64, f netsim.Faults, failures map[string]int) (int, string) {
	t.Helper()
	s := newSim(t, seed)
	rng := rand.New(rand.NewSource(seed))
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.net.SetFaults(f)
	ra := alpha.byName["beta"]
	var outs []*outcome
	var plan []perturbation
	for i := 0; i < 10; i++ {
		from, to := beta, alpha
		if rng.Intn(2) == 0 {
			from, to = alpha, beta
		}
		size := []int{10, 200, 1500, 6000}[rng.Intn(4)]
		timeout := []time.Duration{0, 10 * time.Second, 30 * time.Second}[rng.Intn(3)]
		m := padded(rng, i, size)
		o := &outcome{}
		outs = append(outs, o)
		plan = append(plan, perturbation{at: time.Duration(rng.Intn(4000)) * time.Millisecond, do: func() {
			from.message(from.byName[to.name], m, timeout, o.report)
		}})
	}
	for i := 0; i < 3; i++ {
		var do func()
		switch rng.Intn(3) {
		case 0:
			do = func() { beta.join(r, false, true) } // a re-join, cascading to an allow
		case 1:
			do = func() { beta.allow(r, false) }
		default:
			do = func() { alpha.allow(ra, false) }
		}
		plan = append(plan, perturbation{at: time.Duration(rng.Intn(4000)) * time.Millisecond, do: do})
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at < plan[j].at })
	name := fmt.Sprintf("seed %d", seed)
	t0 := s.clk.Now()
	for _, p := range plan {
		at := t0.Add(p.at)
		s.runUntil(time.Minute, name+": plan", func() bool { return !s.clk.Now().Before(at) })
		p.do()
	}
	if !s.stepUntil(30*time.Minute, func() bool {
		for _, o := range outs {
			if !o.reported {
				return false
			}
		}
		return true
	}) {
		for i, o := range outs {
			if !o.reported {
				t.Errorf("%s: message %d never reported", name, i)
			}
		}
		for _, st := range []*simStack{alpha, beta} {
			for _, rm := range st.remotes {
				t.Logf("%s: %s -> %s: joined %v allowed %v sid %d rsid %d, %d transactions, %d saved",
					name, st.name, rm.Name, rm.Joined, rm.Allowed, rm.SID, rm.RSID, len(rm.transactions), len(rm.saved))
				for idx, tx := range rm.transactions {
					t.Logf("  %+v %T", idx, tx)
				}
			}
		}
		return len(outs), ""
	}
	// Late duplicates and retransmissions arrive: none may be delivered again.
	end := s.clk.Now().Add(15 * time.Second)
	s.runUntil(time.Minute, name+": settle", func() bool { return !s.clk.Now().Before(end) })
	arrived := map[int64]int{}
	for _, st := range []*simStack{alpha, beta} {
		for _, rcv := range st.received {
			seq, _ := rcv.Body.Int("seq")
			arrived[seq]++
			if !checkPad(rcv.Body) {
				t.Errorf("%s: message %d arrived damaged", name, seq)
			}
		}
	}
	for i, o := range outs {
		got := arrived[int64(i)]
		switch {
		case got > 1:
			t.Errorf("%s: message %d arrived %d times (reported %v)", name, i, got, o.err)
		case o.err == nil && got == 0:
			t.Errorf("%s: message %d reported delivered, never arrived", name, i)
		case o.err != nil:
			failures[o.err.Error()]++
		}
	}
	return len(outs), fmt.Sprint(s.clk.Now().Sub(t0), alpha.stats, beta.stats)
}

// stepUntil steps until cond holds and reports whether it did within the given
// simulated time.
func (s *sim) stepUntil(limit time.Duration, cond func() bool) bool {
	end := s.clk.Now().Add(limit)
	for !cond() {
		if !s.step() || s.clk.Now().After(end) {
			return false
		}
	}
	return true
}

// Two stacks that disagree about their session (the allower never heard
// the allowent's ack, so the allowent counts itself allowed and the
// allower does not) do not pass a refused message back and forth: it waits
// for the allow to end and is then sent once more, or fails.
func TestRefusedMessageIsNotBouncedWhileAllowing(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.net.SetFaults(netsim.Faults{Delay: time.Millisecond})
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktAck {
			return // the allowent's ack is lost, every time
		}
		alpha.receive(d.From, d.Data)
	})
	alpha.allow(alpha.byName["beta"], false)
	s.runUntil(time.Minute, "beta allowed, alpha not", func() bool {
		return r.Allowed == Yes && len(allowInProcess(r)) > 0
	})
	before := beta.stats["message_segment_tx"]
	o := beta.send(alpha, padded(rand.New(rand.NewSource(1)), 0, 10), 0)
	// Each repeated initiate starts beta a new session, and the message goes
	// once in each; without a bound it went on with no time passing.
	for steps := 0; !o.reported; steps++ {
		if steps > 10_000 || !s.step() {
			t.Fatalf("not reported after %d steps, %d segments sent", steps, beta.stats["message_segment_tx"]-before)
		}
	}
	if sent := beta.stats["message_segment_tx"] - before; sent > 20 {
		t.Errorf("a one-packet message sent %d times before it was reported (%v)", sent, o.err)
	}
}

// A message that reaches a receiver making a new session (its hello to the
// sender lost, so the sender knows of no allow) is taken once the session
// is made, not refused at once.
func TestMessageWhileTheReceiverAllowsIsDelivered(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.net.SetFaults(netsim.Faults{Delay: time.Millisecond})
	lost := false
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktHello && !lost {
			lost = true
			return
		}
		alpha.receive(d.From, d.Data)
	})
	beta.allow(r, false)
	o := alpha.send(beta, padded(rand.New(rand.NewSource(1)), 0, 10), 0)
	s.runUntil(time.Minute, "reported", func() bool { return o.reported })
	end := s.clk.Now().Add(10 * time.Second)
	s.runUntil(time.Minute, "settle", func() bool { return !s.clk.Now().Before(end) })
	if !lost || o.err != nil || len(beta.received) != 1 {
		t.Errorf("hello lost %v: %v, %d delivered", lost, o.err, len(beta.received))
	}
}

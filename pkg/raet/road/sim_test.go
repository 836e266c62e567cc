package road

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// sim runs stack cores on one simulated network and one fake clock, in one
// goroutine: each step moves the clock to the next thing that happens (a
// datagram arriving or a transaction's deadline) and does it. A seed gives
// the network's faults, so a failing run replays exactly.
type sim struct {
	t      testing.TB
	clk    *clock.Fake
	net    *netsim.Network
	stacks []*simStack
	// extra are things that happen besides datagrams and deadlines: a
	// slow receiver's queue (allowlimit_test.go).
	extra []simEvent
}

// simEvent is something a test adds to the simulation's time line: when
// it next happens, and what it does then.
type simEvent interface {
	next() (time.Time, bool)
	run(now time.Time)
}

type simStack struct {
	*core
	keep *keep.Keep
	ep   *netsim.Endpoint
	// lastService is when step last ran the stack's service: its loop's
	// timer firing, in a real stack.
	lastService time.Time
}

func newSim(t testing.TB, seed int64) *sim {
	clk := clock.NewFake()
	return &sim{t: t, clk: clk, net: netsim.New(seed, clk.Now)}
}

// simKeys derives a stack's keys from its name, so runs repeat.
func simKeys(t testing.TB, name string) (*raet.Signer, *raet.Privateer) {
	return testutil.NamedKeys(t, "sim/"+name)
}

// add makes a stack at 127.0.0.1:port with a keep of its own in a temp dir.
func (s *sim) add(cfg Config, port uint16, auto raet.AutoMode) *simStack {
	s.t.Helper()
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
	ep, err := s.net.Listen(addr)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.start(cfg, ep, s.t.TempDir(), auto)
}

// start makes a stack on an endpoint with its keep in dir, restoring what
// the keep holds.
func (s *sim) start(cfg Config, ep *netsim.Endpoint, dir string, auto raet.AutoMode) *simStack {
	s.t.Helper()
	k, err := keep.Open(dir, keep.KindJSON, auto)
	if err != nil {
		s.t.Fatal(err)
	}
	if cfg.Signer == nil {
		cfg.Signer, cfg.Privateer = simKeys(s.t, cfg.Name)
	}
	cfg.Conn, cfg.Clock, cfg.Keep = ep, s.clk, k
	if cfg.MaxPacketSize == 0 {
		// The simulations cut messages as the reference does unless a
		// test asks for larger datagrams: most of them test its trays.
		cfg.MaxPacketSize = -1
	}
	st := &simStack{core: newCore(cfg), keep: k, ep: ep}
	if err := st.restore(); err != nil {
		s.t.Fatal(err)
	}
	ep.SetHandler(func(d netsim.Datagram) { st.receive(d.From, d.Data) })
	s.stacks = append(s.stacks, st)
	return st
}

// step does the next thing that happens, and reports false when nothing
// will happen any more.
func (s *sim) step() bool {
	next, ok := s.net.Next()
	for _, st := range s.stacks {
		if d := st.deadline(); !d.IsZero() && (!ok || d.Before(next)) {
			next, ok = d, true
		}
	}
	for _, e := range s.extra {
		if d, due := e.next(); due && (!ok || d.Before(next)) {
			next, ok = d, true
		}
	}
	if !ok {
		return false
	}
	if d := next.Sub(s.clk.Now()); d > 0 {
		s.clk.Advance(d)
	}
	s.net.Deliver()
	for _, e := range s.extra {
		if d, due := e.next(); due && !d.After(s.clk.Now()) {
			e.run(s.clk.Now())
		}
	}
	for _, st := range s.stacks {
		if d := st.deadline(); !d.IsZero() && !d.After(s.clk.Now()) {
			st.lastService = s.clk.Now()
			st.service()
		}
	}
	return true
}

// runUntil steps until cond holds, failing after the given simulated time.
func (s *sim) runUntil(limit time.Duration, what string, cond func() bool) {
	s.t.Helper()
	end := s.clk.Now().Add(limit)
	for !cond() {
		if !s.step() || s.clk.Now().After(end) {
			s.t.Fatalf("%s: not within %v of simulated time (network %+v)", what, limit, s.net.Stats())
		}
	}
}

// quiesce steps until nothing is in flight and no transaction remains.
func (s *sim) quiesce(limit time.Duration) {
	s.t.Helper()
	s.runUntil(limit, "quiet", func() bool {
		if s.net.InFlight() > 0 {
			return false
		}
		for _, st := range s.stacks {
			for _, r := range st.remotes {
				if len(r.transactions) > 0 {
					return false
				}
			}
		}
		return true
	})
}

// joinTo makes the stack know a main at an address, vacuously, and join it.
func (st *simStack) joinTo(main *simStack) *Remote {
	r := newRemote(0, main.conn.LocalAddr())
	r.Name = fmt.Sprintf("estate_%d", main.conn.LocalAddr().Port())
	st.addRemote(r)
	st.join(r, false, false)
	return r
}

// restart stops a stack and starts another at its address on the same
// keep (or, with fresh, an empty one), as a daemon restarting.
func (s *sim) restart(old *simStack, cfg Config, auto raet.AutoMode, fresh bool) *simStack {
	s.t.Helper()
	addr := old.ep.LocalAddr()
	old.ep.Close()
	for i, st := range s.stacks {
		if st == old {
			s.stacks = append(s.stacks[:i], s.stacks[i+1:]...)
			break
		}
	}
	ep, err := s.net.Listen(addr)
	if err != nil {
		s.t.Fatal(err)
	}
	dir := old.keep.Dir()
	if fresh {
		dir = s.t.TempDir()
	}
	return s.start(cfg, ep, dir, auto)
}

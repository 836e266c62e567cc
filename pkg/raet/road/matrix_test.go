package road

import (
	"fmt"
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// tap sits between a simulated stack and the network, so a test can do
// something to one datagram of an exchange: drop it, send it twice, hold
// it back and release it late, or take the stack down as it sends it.
type tap struct {
	Conn
	name string
	seq  *[]sent // the exchange so far, shared by both sides' taps
	// act decides what becomes of a datagram: how many copies go now, and
	// whether one is held back for release.
	act   func(n int, s sent) (copies int, hold bool)
	held  []heldDatagram
	dark  bool // down: nothing it sends leaves
	clock clock.Clock
}

// sent is one datagram of an exchange, as a test names it.
type sent struct {
	from   string
	hk     raet.HeadKind
	tk     raet.TrnsKind
	pk     raet.PcktKind
	to     netip.AddrPort
	packet []byte
	at     time.Time // on the stack's clock
}

func (s sent) String() string { return fmt.Sprintf("%s %s %s", s.from, s.tk, s.pk) }

type heldDatagram struct {
	b  []byte
	to netip.AddrPort
}

func (t *tap) WriteTo(b []byte, to netip.AddrPort) error {
	if t.dark {
		return nil
	}
	p, err := wire.ParsePacket(append([]byte(nil), b...))
	if err != nil {
		return err
	}
	s := sent{from: t.name, hk: p.HK, tk: p.TK, pk: p.PK, to: to, packet: b, at: t.clock.Now()}
	n := len(*t.seq)
	*t.seq = append(*t.seq, s)
	copies, hold := 1, false
	if t.act != nil {
		copies, hold = t.act(n, s)
	}
	if hold {
		t.held = append(t.held, heldDatagram{append([]byte(nil), b...), to})
	}
	for i := 0; i < copies; i++ {
		if err := t.Conn.WriteTo(b, to); err != nil {
			return err
		}
	}
	return nil
}

// release sends what was held back.
func (t *tap) release() {
	for _, h := range t.held {
		t.Conn.WriteTo(h.b, h.to)
	}
	t.held = nil
}

// tapped puts a tap on a simulated stack's connection.
func (st *simStack) tapped(seq *[]sent) *tap {
	t := &tap{Conn: st.conn, name: st.name, seq: seq, clock: st.clock}
	st.conn = t
	return t
}

// bootstrapSequence is the reference's bootstrap exchange, join with
// cascade through alive, as the taps see it on a clean network.
var bootstrapSequence = []string{
	"beta join request", "alpha join response", "beta join ack",
	"beta allow hello", "alpha allow cookie", "beta allow initiate", "alpha allow ack", "beta allow ack",
	"beta alive request", "alpha alive ack",
}

// tappedPair is alpha, a main, and beta, a joiner, both managing presence,
// with taps on both; beta has alpha's address only.
type tappedPair struct {
	s           *sim
	seq         []sent
	alpha, beta *simStack
	ta, tb      *tap
	r           *Remote // beta's remote for alpha
	mutable     bool    // beta's road
	settledLen  int     // datagrams until the pair settled
}

func newTappedPair(t *testing.T, seed int64, mutable bool) *tappedPair {
	s := newSim(t, seed)
	x := &tappedPair{s: s, mutable: mutable}
	x.alpha = s.add(x.config("alpha"), 7560, raet.AutoAlways)
	x.beta = s.add(x.config("beta"), 7561, raet.AutoAlways)
	x.ta, x.tb = x.alpha.tapped(&x.seq), x.beta.tapped(&x.seq)
	return x
}

func (x *tappedPair) config(name string) Config {
	if name == "alpha" {
		return Config{Name: name, Main: true, Manage: true, ManageCascade: true}
	}
	return Config{Name: name, Mutable: x.mutable, Manage: true, ManageCascade: true}
}

// restart takes a side down and starts it again on its keep, or on an
// empty one, as an operator restarting a daemon would; a restarted joiner
// joins its main again, as a minion does when it starts.
func (x *tappedPair) restart(name string, fresh bool) {
	old, oldTap := x.alpha, x.ta
	if name == "beta" {
		old, oldTap = x.beta, x.tb
	}
	st := x.s.restart(old, x.config(name), raet.AutoAlways, fresh)
	tp := st.tapped(&x.seq)
	tp.act = oldTap.act
	if name == "alpha" {
		x.alpha, x.ta = st, tp
		return
	}
	x.beta, x.tb = st, tp
	if x.r = st.byName["alpha"]; x.r != nil {
		st.join(x.r, false, true)
	} else {
		x.bootstrap()
	}
}

func (x *tappedPair) bootstrap() {
	x.r = newRemote(0, x.alpha.conn.LocalAddr())
	x.beta.addRemote(x.r)
	x.beta.join(x.r, false, true)
}

// settled reports whether both sides are joined, allowed and alive in one
// session with nothing left to do.
func (x *tappedPair) settled() bool {
	ra, rb := x.beta.byName["alpha"], x.alpha.byName["beta"]
	if ra == nil || rb == nil {
		return false
	}
	for _, r := range []*Remote{ra, rb} {
		if r.Joined != Yes || r.Allowed != Yes || r.Alived != Yes || len(r.transactions) > 0 {
			return false
		}
	}
	return ra.FUID == rb.UID && rb.FUID == ra.UID && x.s.net.InFlight() == 0 && len(x.ta.held)+len(x.tb.held) == 0
}

// converge runs until the pair settles, then checks it as an operator
// would: one remote each, one session, keeps that agree, and a message each
// way delivered once.
func (x *tappedPair) converge(t *testing.T, what string) {
	t.Helper()
	end := x.s.clk.Now().Add(5 * time.Minute)
	for !x.settled() {
		if !x.s.step() || x.s.clk.Now().After(end) {
			x.dump(t)
			t.Fatalf("%s: not settled within 5 min of simulated time", what)
		}
	}
	x.settledLen = len(x.seq)
	a, b := x.alpha, x.beta
	if len(a.remotes) != 1 || len(b.remotes) != 1 {
		t.Fatalf("%s: alpha has %d remotes, beta %d", what, len(a.remotes), len(b.remotes))
	}
	if !t.Run("same session", func(t *testing.T) { sameSession(t, a, b) }) {
		x.dump(t)
		t.FailNow()
	}
	for _, c := range []struct {
		st   *simStack
		peer string
	}{{a, "beta"}, {b, "alpha"}} {
		acc, _, _, err := c.st.keep.RoleAcceptance(c.peer)
		if err != nil || acc == nil || *acc != raet.Accepted {
			t.Errorf("%s: %s's keep has %s as %v, %v", what, c.st.name, c.peer, acc, err)
		}
		remotes, err := c.st.keep.LoadRemotes()
		if err != nil || len(remotes) != 1 || remotes[0].Name != c.peer || remotes[0].UID != c.st.byName[c.peer].UID {
			t.Errorf("%s: %s's keep of remotes: %+v %v", what, c.st.name, remotes, err)
		}
	}
	na, nb := len(a.received), len(b.received)
	o1 := b.send(a, body.Map{{Key: "from", Value: "beta"}}, 0)
	o2 := a.send(b, body.Map{{Key: "from", Value: "alpha"}}, 0)
	x.s.runUntil(time.Minute, what+": messages", func() bool { return o1.reported && o2.reported })
	x.s.quiesce(time.Minute)
	if o1.err != nil || o2.err != nil || len(a.received) != na+1 || len(b.received) != nb+1 {
		t.Fatalf("%s: messages after the join: %v %v, received %d %d", what, o1.err, o2.err, len(a.received)-na, len(b.received)-nb)
	}
}

// dump logs the state of the pair and the end of its exchange.
func (x *tappedPair) dump(t *testing.T) {
	t.Helper()
	for _, st := range []*simStack{x.alpha, x.beta} {
		for _, r := range st.remotes {
			t.Logf("%s: remote %q uid %d fuid %d sid %d rsid %d joined %v allowed %v alived %v transactions %d session keys %v %v",
				st.name, r.Name, r.UID, r.FUID, r.SID, r.RSID, r.Joined, r.Allowed, r.Alived, len(r.transactions), r.privee != nil, r.publee != nil)
		}
		t.Logf("%s: joinees %d stats %v", st.name, len(st.joinees), st.stats)
	}
	from := max(0, len(x.seq)-40)
	var tail []string
	for _, s := range x.seq[from:] {
		tail = append(tail, s.String())
	}
	t.Logf("datagrams %d, from %d: %q", len(x.seq), from, tail)
}

// The bootstrap exchange is as the reference's.
func TestBootstrapSequence(t *testing.T) {
	x := newTappedPair(t, 1, false)
	x.bootstrap()
	x.converge(t, "clean")
	var got []string
	for _, s := range x.seq[:len(bootstrapSequence)] {
		got = append(got, s.String())
	}
	if fmt.Sprint(got) != fmt.Sprint(bootstrapSequence) {
		t.Errorf("bootstrap\n got %q\nwant %q", got, bootstrapSequence)
	}
}

// The join matrix, one datagram at a time: each datagram of the bootstrap
// lost, sent twice, or held back until after its retransmission. Every case
// ends joined, allowed and alive in one session, with messages flowing.
func TestBootstrapMatrixOneDatagram(t *testing.T) {
	faults := []struct {
		name   string
		copies int
		hold   bool
	}{{"lost", 0, false}, {"duplicated", 2, false}, {"late", 0, true}}
	for i, step := range bootstrapSequence {
		for _, f := range faults {
			what := fmt.Sprintf("%s %s", step, f.name)
			t.Run(what, func(t *testing.T) {
				x := newTappedPair(t, 1, false)
				act := func(n int, s sent) (int, bool) {
					if n == i {
						if s.String() != step {
							t.Fatalf("datagram %d is %s, want %s", n, s, step)
						}
						return f.copies, f.hold
					}
					return 1, false
				}
				x.ta.act, x.tb.act = act, act
				x.bootstrap()
				if f.hold {
					// Released once the retransmission has gone through.
					x.s.runUntil(time.Minute, "held", func() bool { return len(x.ta.held)+len(x.tb.held) == 1 })
					x.s.runUntil(time.Minute, "retransmitted", func() bool { return len(x.seq) > i+1 && x.s.net.InFlight() == 0 })
					held := x.s.clk.Now()
					x.s.runUntil(time.Minute, "later", func() bool { return x.s.clk.Now().Sub(held) >= 3*time.Second })
					x.ta.release()
					x.tb.release()
				}
				x.converge(t, what)
				if f.copies == 0 && x.settledLen <= len(bootstrapSequence) {
					t.Errorf("%s: %d datagrams: nothing was sent again", what, x.settledLen)
				}
			})
		}
	}
}

// Restarts at every step of the bootstrap: as each datagram is sent, its
// sender or the other side goes down (the datagram is lost with a sender
// that goes down) and starts again, on its keep or on an empty one. The
// road mends by itself: a restarted joiner joins again, as a minion does
// when it starts, and presence management does the rest. A main that lost
// its keep needs a mutable road, where the joiner renews.
func TestBootstrapMatrixRestart(t *testing.T) {
	for i, step := range bootstrapSequence {
		for _, down := range []string{"alpha", "beta"} {
			for _, fresh := range []bool{false, true} {
				what := fmt.Sprintf("at %s %s restarts", step, down)
				if fresh {
					what += " without its keep"
				}
				t.Run(what, func(t *testing.T) {
					x := newTappedPair(t, 1, down == "alpha" && fresh)
					crashed := false
					act := func(n int, s sent) (int, bool) {
						if n != i {
							return 1, false
						}
						crashed = true
						st, tp := x.alpha, x.ta
						if down == "beta" {
							st, tp = x.beta, x.tb
						}
						tp.dark = true // from now on nothing it sends leaves
						st.ep.SetHandler(func(netsim.Datagram) {})
						if s.from == down {
							return 0, false
						}
						return 1, false
					}
					x.ta.act, x.tb.act = act, act
					x.bootstrap()
					x.s.runUntil(time.Minute, "down", func() bool { return crashed })
					x.restart(down, fresh)
					x.converge(t, what)
				})
			}
		}
	}
}

// A joiner that lost its keep during an allow joins again vacuously and
// counts its sessions and transactions from where it did before. The main
// forgets what the old incarnation started, so the new hello is not taken
// for a repeat of the old one (which would answer it with the old ack).
func TestVacuousRejoinForgetsOldCorrespondents(t *testing.T) {
	x := newTappedPair(t, 1, false)
	crashed := false
	x.tb.act = func(n int, s sent) (int, bool) {
		if s.String() == "beta allow ack" && !crashed {
			crashed, x.tb.dark = true, true
			x.beta.ep.SetHandler(func(netsim.Datagram) {})
			return 0, false
		}
		return 1, false
	}
	x.bootstrap()
	x.s.runUntil(time.Minute, "down", func() bool { return crashed })
	if len(x.alpha.byName["beta"].transactions) != 1 {
		t.Fatalf("alpha's allowent is not waiting: %d transactions", len(x.alpha.byName["beta"].transactions))
	}
	x.restart("beta", true)
	x.converge(t, "rejoined")
	if x.alpha.stats["forgotten_correspondent"] != 1 || x.beta.stats["allower_ack_before_initiate"] != 0 {
		t.Errorf("alpha %v\nbeta %v", x.alpha.stats, x.beta.stats)
	}
}

// A main that went down between its join response and the joiner's ack
// kept the remote when it answered, so it knows the joiner when it comes
// back: the joiner's hello is answered unjoined, and it joins again.
func TestJoinentKeepsTheRemoteWhenItAnswers(t *testing.T) {
	x := newTappedPair(t, 1, false)
	crashed := false
	x.tb.act = func(n int, s sent) (int, bool) {
		if s.String() == "beta join ack" && !crashed {
			crashed, x.ta.dark = true, true
			x.alpha.ep.SetHandler(func(netsim.Datagram) {})
		}
		return 1, false
	}
	x.bootstrap()
	x.s.runUntil(time.Minute, "down", func() bool { return crashed })
	x.restart("alpha", false)
	rb := x.alpha.byName["beta"]
	if rb == nil || rb.UID != 2 || rb.Joined == Yes || x.alpha.puid != 2 {
		t.Fatalf("alpha restored %+v (puid %d)", rb, x.alpha.puid)
	}
	x.converge(t, "rejoined")
	if x.alpha.stats["unjoined_allow_attempt"] == 0 || x.alpha.stats["unknown_remote_unjoined"] != 0 {
		t.Errorf("alpha %v", x.alpha.stats)
	}
}

// A main that lost its keep answers a joiner it no longer knows unjoined
// instead of dropping its packets for ever; on a mutable road the joiner
// renews and joins again vacuously. The answers to strangers are paced.
func TestUnknownRemoteIsToldUnjoined(t *testing.T) {
	x := newTappedPair(t, 1, true)
	x.bootstrap()
	x.converge(t, "joined")
	x.restart("alpha", true)
	if len(x.alpha.remotes) != 0 {
		t.Fatal("a fresh keep restored remotes")
	}
	x.converge(t, "renewed")
	if x.alpha.stats["unknown_remote_unjoined"] == 0 || x.beta.stats["join_renew_attempt"] != 1 {
		t.Errorf("alpha %v\nbeta %v", x.alpha.stats, x.beta.stats)
	}

	// Strangers' hellos: at most unjoinedPerSecond answers a second.
	c := x.alpha
	x.s.clk.Advance(time.Second) // a second of its own
	before := c.stats["unknown_remote_unjoined"]
	stranger := netip.MustParseAddrPort("127.0.0.1:7999")
	other, _ := simKeys(t, "stranger")
	for i := 0; i < 3*unjoinedPerSecond; i++ {
		h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyRaw, PK: raet.PcktHello, TK: raet.TrnsAllow,
			SE: 9, DE: 77, SI: 1, TI: uint32(i + 1), FK: raet.FootNacl}
		p, err := wire.Pack(&h, nil, nil, other)
		if err != nil {
			t.Fatal(err)
		}
		c.receive(stranger, p.Packed)
	}
	if got := c.stats["unknown_remote_unjoined"] - before; got != unjoinedPerSecond {
		t.Errorf("%d answers to strangers in one instant, want %d", got, unjoinedPerSecond)
	}
	if c.stats["unknown_remote_unjoined_limited"] != 2*unjoinedPerSecond {
		t.Errorf("limited %d", c.stats["unknown_remote_unjoined_limited"])
	}
}

// Stacks that send different head kinds understand each other: each reads
// both and answers with its own. Over a lossy, duplicating, reordering
// network, the bootstrap and messages up to 100 KB both ways complete.
func TestMixedHeadKinds(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		s := newSim(t, seed)
		s.net.SetFaults(netsim.Faults{Loss: 0.1, Duplicate: 0.05, Delay: time.Millisecond, Jitter: 5 * time.Millisecond})
		var seq []sent
		alpha := s.add(Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true, HeadKind: raet.HeadJSON}, 7560, raet.AutoAlways)
		beta := s.add(Config{Name: "beta", Manage: true, ManageCascade: true, BodyKind: raet.BodyMsgpack}, 7561, raet.AutoAlways)
		alpha.tapped(&seq)
		beta.tapped(&seq)
		r := newRemote(0, alpha.conn.LocalAddr())
		beta.addRemote(r)
		beta.join(r, false, true)
		s.runUntil(5*time.Minute, "allowed", func() bool {
			rb := alpha.byName["beta"]
			return r.Allowed == Yes && rb != nil && rb.Allowed == Yes
		})
		rng := rand.New(rand.NewSource(seed))
		for _, size := range []int{1, 3000, 100_000} {
			o1 := beta.send(alpha, padded(rng, size, size), 0)
			o2 := alpha.send(beta, padded(rng, size, size), 0)
			s.runUntil(10*time.Minute, "delivered", func() bool { return o1.reported && o2.reported })
			if o1.err != nil || o2.err != nil {
				t.Fatalf("seed %d size %d: %v %v", seed, size, o1.err, o2.err)
			}
		}
		s.quiesce(time.Minute)
		for _, st := range []*simStack{alpha, beta} {
			if len(st.received) != 3 {
				t.Fatalf("seed %d: %s received %d messages", seed, st.name, len(st.received))
			}
			for _, m := range st.received {
				if !checkPad(m.Body) {
					t.Fatalf("seed %d: %s received a broken body", seed, st.name)
				}
			}
		}
		for _, x := range seq {
			if want := map[string]raet.HeadKind{"alpha": raet.HeadJSON, "beta": raet.HeadRaet}[x.from]; x.hk != want {
				t.Fatalf("seed %d: %s sent a %s head", seed, x.from, x.hk)
			}
		}
	}
}

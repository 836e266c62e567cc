package road

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// spoofedJoin is a vacuous join request of a made-up estate: a new name
// and new keys each time, as anyone on the network can send.
func spoofedJoin(t testing.TB, i int) []byte {
	t.Helper()
	seed := sha256.Sum256(fmt.Appendf(nil, "spoof/%d", i))
	signer, priv := testutil.SeededKeys(t, seed[:], seed[:])
	name := fmt.Sprintf("spoof%d", i)
	plain, err := body.Encode(raet.BodyJSON, body.Map{
		{Key: "name", Value: name}, {Key: "mode", Value: int64(0)}, {Key: "kind", Value: int64(0)},
		{Key: "verhex", Value: signer.VerHex()}, {Key: "pubhex", Value: priv.PubHex()}, {Key: "role", Value: name}})
	if err != nil {
		t.Fatal(err)
	}
	h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktRequest, TK: raet.TrnsJoin,
		SE: uint32(2 + i), TI: uint32(1 + i)}
	p, err := wire.Pack(&h, plain, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Datagram()
}

// 2,000 vacuous joins from one address, each with a new name and keys,
// reach the acceptor (Salt's key store, which writes a pending key for
// each) at most a burst and one per interval; the rest are dropped and
// counted. A legitimate estate joins meanwhile.
func TestVacuousJoinFloodLimited(t *testing.T) {
	s := newSim(t, 6)
	asked := map[string]int{}
	acc := acceptorFunc(func(role, verhex, pubhex string) (raet.Acceptance, error) {
		asked[role]++
		if role == "beta" {
			return raet.Accepted, nil
		}
		return raet.Pending, nil
	})
	alpha := s.add(Config{Name: "alpha", Main: true, Acceptor: acc}, 7560, raet.AutoAlways)
	spoofer, err := s.net.Listen(addrOf(7599))
	if err != nil {
		t.Fatal(err)
	}
	spoofer.SetHandler(func(netsim.Datagram) {})
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	const flood = 2000
	start := s.clk.Now()
	var rb *Remote
	for i := 0; i < flood; i++ {
		if err := spoofer.WriteTo(spoofedJoin(t, i), alpha.conn.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if i == flood/2 {
			rb = beta.joinTo(alpha)
		}
		if i%100 == 0 {
			s.runFor(100 * time.Millisecond)
		}
	}
	s.runUntil(time.Minute, "beta joined, the flood taken", func() bool { return rb.Joined == Yes && s.net.InFlight() == 0 })
	elapsed := s.clk.Now().Sub(start)
	spoofs := len(asked) - 1
	bound := DefaultVacuousJoinBurst + int(elapsed/DefaultVacuousJoinEvery) + 1
	if spoofs > bound || int(alpha.stats["join_rate_limited"]) < flood-bound {
		t.Errorf("%d spoofed joins reached the acceptor in %v (bound %d); stats %v net %+v", spoofs, elapsed, bound, alpha.stats, s.net.Stats())
	}
}

func addrOf(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
}

// The limiter remembers a bounded number of source addresses, however many
// send joins.
func TestJoinLimiterBounded(t *testing.T) {
	l := newJoinLimiter(0, 0)
	now := time.Unix(1000, 0)
	for i := range 3 * maxJoinSources {
		a := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 4510)
		if !l.allow(a, now) {
			t.Fatalf("a new source %v refused", a)
		}
		if len(l.sources) > maxJoinSources {
			t.Fatalf("%d sources remembered", len(l.sources))
		}
	}
}

// A vacuous join the main pended, whose joiner never asks again (its
// address was forged), ends after two pend redos, and the estate it made
// is forgotten: the key store is not asked about it any more. A pended
// estate that is there keeps asking, stays, and gets in once accepted.
func TestSilentPendedJoinForgotten(t *testing.T) {
	s := newSim(t, 7)
	asked := map[string]int{}
	accept := false
	acc := acceptorFunc(func(role, verhex, pubhex string) (raet.Acceptance, error) {
		asked[role]++
		if role == "beta" && accept {
			return raet.Accepted, nil
		}
		return raet.Pending, nil
	})
	timers := Timers{JoinentTimeout: Never, PendRedo: 10 * time.Second}
	alpha := s.add(Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true, Acceptor: acc, Timers: timers}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Manage: true, ManageCascade: true, Timers: Timers{PendRedo: 10 * time.Second}}, 7561, raet.AutoAlways)
	spoofer, err := s.net.Listen(addrOf(7599))
	if err != nil {
		t.Fatal(err)
	}
	spoofer.SetHandler(func(netsim.Datagram) {})
	spoofer.WriteTo(spoofedJoin(t, 1), alpha.conn.LocalAddr())
	rb := beta.joinTo(alpha)
	s.runUntil(time.Minute, "both pended", func() bool { return asked["spoof1"] > 0 && asked["beta"] > 0 })
	s.runFor(time.Minute)
	if alpha.byName["spoof1"] != nil || alpha.stats["joinent_pend_silent"] == 0 {
		t.Fatalf("the silent pended join is kept: stats %v", alpha.stats)
	}
	before := asked["spoof1"]
	s.runFor(time.Minute)
	if asked["spoof1"] != before {
		t.Errorf("the key store was asked about spoof1 %d more times", asked["spoof1"]-before)
	}
	if alpha.byName["beta"] == nil {
		t.Fatalf("the pended estate that asks again was forgotten: %v", alpha.stats)
	}
	accept = true
	s.runUntil(time.Minute, "beta accepted", func() bool { return rb.Allowed == Yes })
}

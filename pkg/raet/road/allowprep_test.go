package road

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// helloAt records the hellos a stack receives, and passes every datagram
// on as before.
func helloAt(t *testing.T, st *simStack) *[]netsim.Datagram {
	t.Helper()
	var hellos []netsim.Datagram
	st.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktHello {
			hellos = append(hellos, netsim.Datagram{From: d.From, Data: append([]byte(nil), d.Data...)})
		}
		st.receive(d.From, d.Data)
	})
	return &hellos
}

// workOf is the key work kept for a hello datagram, and its key.
func workOf(t *testing.T, st *simStack, d []byte) *helloPrep {
	t.Helper()
	p, err := wire.ParsePacket(d)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := p.Plain(nil)
	k := helloKey{se: p.SE}
	copy(k.short[:], plain[64:96])
	st.hellos.mu.Lock()
	defer st.hellos.mu.Unlock()
	w, _ := st.hellos.byKey.get(k)
	return w
}

// The allowent's key work for a hello and for its initiate is done beside
// the signature check (as a worker does it), and the loop uses it: its
// short-term key, its session box and the box of the long-term keys are the
// work's, and the session holds both ways.
func TestHelloWorkedBesideTheLoop(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	hellos := helloAt(t, alpha)
	r := newRemote(0, alpha.conn.LocalAddr())
	beta.addRemote(r)
	beta.join(r, false, true)
	s.quiesce(10 * time.Second)

	rb := alpha.byName["beta"]
	if rb == nil || rb.Allowed != Yes || r.Allowed != Yes || len(*hellos) != 1 {
		t.Fatalf("not allowed, or %d hellos: %+v", len(*hellos), rb)
	}
	sameSession(t, alpha, beta)
	if alpha.stats["allow_hello_worked"] != 1 || alpha.stats["allow_initiate_worked"] != 1 || rb.longBox == nil {
		t.Fatalf("the allow's key work was done on the loop: %v", alpha.stats)
	}
	w := workOf(t, alpha, (*hellos)[0].Data)
	if w == nil || !w.ok || !w.taken || w.privee != rb.privee {
		t.Fatalf("the allowent's short-term key is not the work's: %+v", w)
	}
	if !bytes.Equal(w.privee.PubKey(), r.publee.Key()) {
		t.Fatal("beta holds another short-term key of alpha's than the work's")
	}

}

// The repeats of one hello share its work: a master behind on its queue
// reads an allower's hello several times, and pays the scalar
// multiplications once. Another estate's hello is worked on its own.
func TestHelloRepeatsShareTheirWork(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	gamma := s.add(Config{Name: "gamma"}, 7562, raet.AutoAlways)
	var hellos []netsim.Datagram
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktHello {
			hellos = append(hellos, netsim.Datagram{From: d.From, Data: append([]byte(nil), d.Data...)})
			return // the hellos are held back, and checked below
		}
		alpha.receive(d.From, d.Data)
	})
	for _, st := range []*simStack{beta, gamma} {
		r := newRemote(0, alpha.conn.LocalAddr())
		st.addRemote(r)
		st.join(r, false, true)
	}
	s.runUntil(10*time.Second, "two hellos", func() bool { return len(hellos) >= 2 })
	alpha.publishVerifiers()
	checked := func(d netsim.Datagram) verified {
		return alpha.hellos.prep(check(d.From, d.Data, &alpha.keys, true), alpha.keys.Load())
	}
	byFrom := map[netip.AddrPort]*helloPrep{}
	for _, d := range hellos {
		v := checked(d)
		if v.err != nil || v.with == nil || v.hello == nil || !v.hello.ok {
			t.Fatalf("a signed hello from %v was not worked on: %+v", d.From, v)
		}
		if again := checked(d); again.hello != v.hello {
			t.Fatalf("a repeat of the hello from %v was worked on again", d.From)
		}
		if w, seen := byFrom[d.From]; seen && w != v.hello {
			t.Fatalf("the repeated hello from %v has two works", d.From)
		}
		byFrom[d.From] = v.hello
	}
	if len(byFrom) != 2 || byFrom[beta.conn.LocalAddr()] == byFrom[gamma.conn.LocalAddr()] {
		t.Fatalf("two estates' hellos share their work: %v", byFrom)
	}
}

// A hello whose proof does not open is worked on, found bad, and not used:
// the loop does the work again and rejects it, as before. Work already
// taken by a transaction is not taken again (the loop makes a fresh key: a
// short-term key is never two sessions'). An unsigned or unverified
// datagram is not worked on at all.
func TestHelloWorkOfABadProofIsNotTaken(t *testing.T) {
	_, priver := simKeys(t, "alpha")
	short, _ := raet.GeneratePrivateer()
	box, err := raet.NewBox(short, priver.Publican())
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := box.Seal(nil, helloPlain)
	plain := append(append(append([]byte(nil), helloPlain...), short.PubKey()...), sealed...)
	if w := workHello(plain, priver); w == nil || !w.ok || w.privee == nil || w.session == nil {
		t.Fatalf("a good hello's work: %+v", w)
	}
	plain[len(plain)-30] ^= 1
	w := workHello(plain, priver)
	if w == nil || w.ok || w.privee != nil {
		t.Fatalf("a bad proof's work: %+v", w)
	}
	c := newCore(Config{Name: "alpha"})
	p := &wire.Packet{}
	c.helloWork, c.workPacket = w, p
	if c.takeHello(p) != nil {
		t.Fatal("the work of a bad proof was taken")
	}
	plain[len(plain)-30] ^= 1
	good := workHello(plain, priver)
	c.helloWork = good
	if c.takeHello(&wire.Packet{}) != nil {
		t.Fatal("the work of another packet was taken")
	}
	if c.takeHello(p) != good || c.takeHello(p) != nil || c.stats["allow_hello_work_taken"] != 1 {
		t.Fatalf("work taken twice, or not once: %v", c.stats)
	}
	var h *helloPreps
	if v := h.prep(verified{p: p}, nil); v.hello != nil {
		t.Fatal("worked on without a cache")
	}
	if v := newHelloPreps().prep(verified{p: p}, &verifiers{priver: priver}); v.hello != nil {
		t.Fatal("worked on a packet not checked with a key")
	}
}

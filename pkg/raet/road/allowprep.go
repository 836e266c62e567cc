package road

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// The allowent's key work for a hello, done on the workers. Answering a
// hello costs three X25519 operations: the box of our long-term key and
// the allower's short-term one (to open its proof, and seal the cookie),
// a fresh short-term key of our own, and the session box of the two
// short-term keys (kept for the initiate). On the loop, in a join storm
// of 10,000 minions, they were a fifth of the master's CPU and most of its
// loop's, which then answered late, the minions' alives timed out and
// they joined again. None of it needs the loop's state: the workers do it
// beside the signature check and hand it over with the packet, as they do
// the verification.
//
// An allower repeats its hello until our cookie comes (0.25 s, then up to
// 1 s); a master behind on its queue then reads the same hello several
// times. The work of one hello is kept, by the allower's short-term key
// and estate, for its repeats: a repeat costs a map look-up, not three
// scalar multiplications. A transaction takes a piece of work once; a
// hello that finds it taken (the first allow failed and the allower sent
// the same hello again) gets a fresh short-term key on the loop, as
// before.

// helloPrep is the key work of one hello.
type helloPrep struct {
	publee  *raet.Publican  // the allower's short-term key
	box     *raet.Box       // our long-term key and publee
	ok      bool            // the hello's proof opened with box
	privee  *raet.Privateer // our fresh short-term key; nil when !ok
	session *raet.Box       // privee and publee

	taken bool // by an allowent; read and written on the loop only
}

// helloPreps keeps the work of recent hellos for their repeats; its
// workers and the loop share it.
type helloPreps struct {
	// full says the main takes no new allow now (allowlimit.go): the
	// hellos of allows not yet under way are not worked on.
	full  atomic.Bool
	mu    sync.Mutex
	byKey recent[helloKey, *helloPrep]
}

// helloKey is a hello's short-term key and the estate that sent it.
type helloKey struct {
	short [32]byte
	se    uint32
}

// helloPrepsKept is how many hellos' work is kept for repeats: more than
// the allows a main has under way at once in a storm.
const helloPrepsKept = 4096

func newHelloPreps() *helloPreps {
	return &helloPreps{byKey: newRecent[helloKey, *helloPrep](helloPrepsKept)}
}

// prep does the key work of a verified hello, or finds it done for an
// earlier copy, and of an initiate that follows a hello worked on, and
// hands it to the loop with the packet. Only packets whose signature was
// checked are worked on: a stranger's flood of hellos costs the workers no
// more than their signature checks.
func (h *helloPreps) prep(v verified, keys *verifiers) verified {
	p := v.p
	if h == nil || v.err != nil || v.with == nil || p == nil || p.TK != raet.TrnsAllow ||
		(p.PK != raet.PcktHello && p.PK != raet.PcktInitiate) || keys == nil || keys.priver == nil {
		return v
	}
	plain, err := p.Plain(nil)
	if err != nil {
		return v
	}
	if p.PK == raet.PcktInitiate {
		v.initiate = h.workInitiate(p.SE, plain, keys.priver)
		return v
	}
	if len(plain) != raet.HelloSize {
		return v
	}
	k := helloKey{se: p.SE}
	copy(k.short[:], plain[64:96])
	done := h.get(k)
	if done == nil {
		if h.full.Load() {
			return v // dropped for admission, unless room is made meanwhile
		}
		if done = workHello(plain, keys.priver); done == nil {
			return v
		}
		h.keep(k, done)
	}
	v.hello = done
	return v
}

// get returns the work kept for a hello, or nil.
func (h *helloPreps) get(k helloKey) *helloPrep {
	h.mu.Lock()
	defer h.mu.Unlock()
	w, _ := h.byKey.get(k)
	return w
}

// workHello is the key work of a hello: nil when it cannot be done (the
// loop then does it, and finds what is wrong).
func workHello(plain []byte, priver *raet.Privateer) *helloPrep {
	want, short, sealed := plain[:64], plain[64:96], plain[96:]
	publee, err := raet.NewPublican(short)
	if err != nil {
		return nil
	}
	box, err := raet.NewBox(priver, publee)
	if err != nil {
		return nil
	}
	w := &helloPrep{publee: publee, box: box}
	if got, err := box.Open(nil, sealed); err != nil || !bytes.Equal(got, want) {
		return w
	}
	if w.privee, err = raet.GeneratePrivateer(); err != nil {
		return nil
	}
	if w.session, err = raet.NewBox(w.privee, publee); err != nil {
		return nil
	}
	w.ok = true
	return w
}

// keep remembers w for the repeats of its hello, forgetting the oldest
// beyond helloPrepsKept. A worker that did the same work meanwhile keeps
// the first.
func (h *helloPreps) keep(k helloKey, w *helloPrep) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.byKey.get(k); !ok {
		h.byKey.put(k, w)
	}
}

// takeHello returns the workers' key work for the hello p, once: nil when
// there is none for it, its proof did not open, or another transaction
// took it (the loop then does the work, and rejects a bad hello).
func (c *core) takeHello(p *wire.Packet) *helloPrep {
	w := c.helloWork
	if w == nil || !w.ok || w.taken || c.workPacket != p {
		if w != nil && w.taken {
			c.stat("allow_hello_work_taken")
		}
		return nil
	}
	w.taken = true
	return w
}

// initiateWork is the key work of an initiate: its vouch opened with the
// session box of the hello's work and checked with the box of our
// long-term key and the allower's.
type initiateWork struct {
	session *raet.Box       // the hello's work's, which opened it
	priver  *raet.Privateer // ours, with which longBox was made
	long    []byte          // the allower's long-term key, as it says
	longBox *raet.Box       // priver and long
	ok      bool            // the vouch opened to the short-term key
}

// workInitiate opens an initiate with the session box of its hello's
// work, kept by the allower's short-term key, and checks its vouch: nil
// when the hello was not worked on (the loop does it all) or the initiate
// does not open (the loop finds what is wrong). The loop still checks what
// only it knows: that the short-term key and the oreo are its
// transaction's, and the long-term key the remote's.
func (h *helloPreps) workInitiate(se uint32, plain []byte, priver *raet.Privateer) *initiateWork {
	if len(plain) != raet.InitiateSize {
		return nil
	}
	k := helloKey{se: se}
	copy(k.short[:], plain[:32])
	hw := h.get(k)
	if hw == nil || !hw.ok {
		return nil
	}
	stuff, err := hw.session.Open(nil, plain[56:])
	if err != nil || len(stuff) != raet.InitiateStuffSize {
		return nil
	}
	long, vouch := stuff[:32], stuff[32:104]
	pub, err := raet.NewPublican(long)
	if err != nil {
		return nil
	}
	lb, err := raet.NewBox(priver, pub)
	if err != nil {
		return nil
	}
	got, err := lb.Open(nil, vouch)
	return &initiateWork{session: hw.session, priver: priver, long: append([]byte(nil), long...), longBox: lb,
		ok: err == nil && bytes.Equal(got, plain[:32])}
}

// takeInitiate returns the workers' key work for the initiate p when it
// was done with the session box and keys the loop holds for r, else nil
// (the loop does the work).
func (c *core) takeInitiate(p *wire.Packet, r *Remote, session *raet.Box) *initiateWork {
	w := c.initiateWork
	if w == nil || c.workPacket != p || w.session != session || w.priver != c.priver || r.pubber == nil ||
		!bytes.Equal(w.long, r.pubber.Key()) {
		return nil
	}
	c.stat("allow_initiate_worked")
	return w
}

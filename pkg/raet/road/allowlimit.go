package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Admission of allows, and hellos too old to answer.
//
// In a storm of thousands of estates a main's socket came to hold seconds
// of datagrams: hellos were answered after their allowers' 4 s timeout,
// the allowers started over with fresh hellos (fresh key work for the
// main), and the main spent its time on allows nobody waited for any more:
// a congestion collapse (BENCHMARKS.md, "Many minions"). Two things bound
// the waste, as MaxDeciding bounds the joins:
//
//   - a main takes at most MaxAllowing allows whose initiate it still
//     awaits; beyond it a new hello is dropped unanswered before any key
//     work (the workers skip it too), and the allower's repeats of it,
//     verified once (verifyseen.go), come back until one finds room or
//     the allower gives up and asks again a presence period later. The
//     allows admitted finish within their allowers' timeout.
//   - a hello that sat in the socket longer than HelloMaxAge by the
//     kernel's receive time (SO_TIMESTAMPNS) is dropped before its
//     signature is checked: with half the allow timeout gone in the queue,
//     its cookie and the initiate after it, through the same queue, come
//     after the allower has given up.
//   - the newest attempts first: a copy of a hello whose first copy came
//     more than HelloMaxAge ago starts no allow either (helloFirsts), so
//     the room the bound makes goes to fresh hellos, not to the repeats
//     of those it dropped, seconds into their allowers' timeout.

// DefaultMaxAllowing is Config.MaxAllowing when zero.
const DefaultMaxAllowing = 256

// maxAllowing is the bound of allows under way, or 0 for none.
func (c *core) maxAllowing() int { return bound(c.cfg.MaxAllowing, DefaultMaxAllowing) }

// bound is a configured bound as the stack takes it: 0 (unset) is def,
// a negative one no bound (0).
func bound(n, def int) int {
	switch {
	case n < 0:
		return 0
	case n == 0:
		return def
	default:
		return n
	}
}

// helloMaxAge is the age in the socket beyond which a hello is dropped,
// or 0 for none: Config.HelloMaxAge, or half the allow timeout.
func (c *core) helloMaxAge() time.Duration {
	switch a := c.cfg.HelloMaxAge; {
	case a < 0:
		return 0
	case a == 0:
		return c.cfg.Timers.AllowTimeout / 2
	default:
		return a
	}
}

// agedOut reports whether a datagram the kernel received at at (zero when
// unknown) has waited longer than a hello may.
func (c *core) agedOut(at time.Time) bool {
	maxAge := c.helloMaxAge()
	return maxAge > 0 && !at.IsZero() && c.clock.Now().Sub(at) > maxAge
}

// admitAllow reports whether a main takes a new allow now, for the hello
// p, counting the hello dropped when it does not.
func (c *core) admitAllow(p *wire.Packet) bool {
	if c.lateHello(p) {
		c.stat("allow_hello_late_dropped")
		return false
	}
	limit := c.maxAllowing()
	if limit == 0 || len(c.allowing) < limit {
		return true
	}
	c.sweepAllowing()
	if len(c.allowing) < limit {
		return true
	}
	c.stat("allow_admission_dropped")
	return false
}

// startAllowing counts an allowent under way until its initiate is acked
// or it ends.
func (c *core) startAllowing(e *allowent) {
	if c.allowing == nil {
		c.allowing = map[*allowent]struct{}{}
	}
	c.allowing[e] = struct{}{}
	c.mostAllowing = max(c.mostAllowing, len(c.allowing))
	c.noteAllowingFull()
}

// stopAllowing stops counting e.
func (c *core) stopAllowing(e *allowent) {
	if _, ok := c.allowing[e]; !ok {
		return
	}
	delete(c.allowing, e)
	c.noteAllowingFull()
}

// sweepAllowing forgets the allowents that ended another way than their
// own removal (their remote removed or rejoined, its transactions cleared).
func (c *core) sweepAllowing() {
	for e := range c.allowing {
		if e.acked || c.remotes[e.r.UID] != e.r || e.r.transactions[e.index()] != transaction(e) {
			delete(c.allowing, e)
		}
	}
	c.noteAllowingFull()
}

// noteAllowingFull tells the workers whether new hellos would be dropped,
// so that they skip their key work.
func (c *core) noteAllowingFull() {
	limit := c.maxAllowing()
	c.hellos.full.Store(limit > 0 && len(c.allowing) >= limit)
}

// isStaleHello reports whether p is a hello that waited too long.
func isStaleHello(aged bool, tk raet.TrnsKind, pk raet.PcktKind) bool {
	return aged && tk == raet.TrnsAllow && pk == raet.PcktHello
}

// expireByReceipt ends an allowent's wait for the initiate when its
// allower gives up: an allow timeout after the socket received the hello,
// not after the loop read it. A hello read seconds late otherwise held its
// place under MaxAllowing for a whole timeout after its allower was gone.
func (e *allowent) expireByReceipt(c *core, p *wire.Packet) {
	if c.workPacket != p || c.workAt.IsZero() || e.expire.IsZero() {
		return
	}
	if at := c.workAt.Add(c.cfg.Timers.AllowTimeout); at.Before(e.expire) {
		e.expire = at
	}
}

// helloFirsts remembers when the first copy of each recent hello reached
// the loop. An allower repeats its hello, the same bytes, until a cookie
// comes or its allow timeout; a copy that finds room under MaxAllowing
// late in that timeout is answered for an allower about to give up. A
// main full of allows took exactly those: the repeats of hellos it had
// dropped, seconds old, ahead of fresh ones (BENCHMARKS.md). The newest
// attempts are served first instead: a hello whose first copy came more
// than HelloMaxAge ago starts no allow, and its allower tries again,
// afresh, a presence period later.
type helloFirsts = recent[helloKey, time.Time]

// helloFirstsKept bounds the hellos remembered: several seconds of a
// storm's new hellos.
const helloFirstsKept = 16384

// lateHello reports whether the hello p is a copy of one first received
// longer than HelloMaxAge ago, remembering when it first came if it is
// new.
func (c *core) lateHello(p *wire.Packet) bool {
	maxAge := c.helloMaxAge()
	if p == nil || maxAge <= 0 {
		return false
	}
	plain, err := p.Plain(nil)
	if err != nil || len(plain) != raet.HelloSize {
		return false
	}
	k := helloKey{se: p.SE}
	copy(k.short[:], plain[64:96])
	now := c.clock.Now()
	h := &c.helloFirsts
	first, ok := h.get(k)
	if !ok {
		first = now
		if c.workPacket == p && !c.workAt.IsZero() {
			first = c.workAt
		}
		h.put(k, first)
	}
	return now.Sub(first) > maxAge
}

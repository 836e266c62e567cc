package road

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// An idle stack's datagram is served on fewer goroutines. Handing a lone
// datagram from the reader to a checker, and a lone send from the loop to
// a writer, wakes a parked goroutine each time, and with it a thread: an
// idle estate's keep-alive paid more in those wakes than in its signatures.
// So a datagram that comes after a quiet spell, while its peer's checker
// has nothing in hand, is checked on the reader itself; a send after a
// quiet spell, while its writer has nothing queued, is signed and made by
// the loop. Under load the datagrams come closer than the spell and go the
// usual way, beside the loop (beside.go), so neither the reads nor the loop
// wait on signatures then. Each side's order holds: nothing of the same
// checker or writer is in hand when one is served directly.

// quietSpell is how long without a datagram (read, or sent) makes the
// next one served directly.
const quietSpell = time.Millisecond

// direct says whether the next datagram after last, in a shard with busy
// ones in hand, is served directly, and moves last on.
func direct(last *time.Time, busy *atomic.Int32) bool {
	now := time.Now()
	quiet := now.Sub(*last) > quietSpell
	*last = now
	return quiet && busy.Load() == 0
}

// writeNow signs and sends one datagram on the caller's goroutine.
func (a *asyncConn) writeNow(o outgoing) {
	b := o.b
	if o.f != nil {
		b = o.f.Sign()
	}
	if err := a.Conn.WriteTo(b, o.to); err != nil {
		a.errors.Add(1)
	}
}

// queue hands a datagram to its writer, or sends it at once after a quiet
// spell (see above). Only the loop calls it.
func (a *asyncConn) queue(o outgoing) {
	i := shardOf(o.to, len(a.out))
	if a.direct && direct(&a.lastSend, &a.busy[i]) {
		a.writeNow(o)
		return
	}
	a.busy[i].Add(1)
	a.out[i] <- o
}

// shardFor is the checker of a datagram from an address, and whether the
// reader checks it itself (see above). Only the reader calls it.
func (s *Stack) shardFor(from netip.AddrPort) (int, bool) {
	i := shardOf(from, len(s.shards))
	return i, direct(&s.lastRead, &s.busy[i])
}

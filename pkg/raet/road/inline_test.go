package road

import (
	"sync/atomic"
	"testing"
	"time"
)

// A datagram is served directly only after a quiet spell and while its
// checker or writer has nothing in hand: the one right after it, or one
// behind others still queued, goes the usual way, so a peer's datagrams
// keep their order.
func TestDirectOnlyAfterAQuietSpellWithNothingInHand(t *testing.T) {
	var last time.Time
	var busy atomic.Int32
	if !direct(&last, &busy) {
		t.Fatal("the first datagram, nothing in hand, is not served directly")
	}
	if direct(&last, &busy) {
		t.Fatal("a datagram right after another is served directly")
	}
	last = last.Add(-2 * quietSpell)
	busy.Store(1)
	if direct(&last, &busy) {
		t.Fatal("a datagram behind one still in hand is served directly")
	}
	last = last.Add(-2 * quietSpell)
	busy.Store(0)
	if !direct(&last, &busy) {
		t.Fatal("a datagram after a quiet spell, nothing in hand, is not served directly")
	}
}

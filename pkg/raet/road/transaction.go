package road

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// txIndex matches packets to transactions (raet-protocol.md 4.4): who
// started the transaction (rf: the remote did), the two estate ids, session,
// transaction and broadcast flag. While a join is vacuous the far id is not
// known yet, and the peer's address stands in for it (ra).
type txIndex struct {
	rf     bool
	le, re uint32
	ra     netip.AddrPort
	si, ti uint32
	bf     bool
}

// rxIndex is the index of a received packet (RxPacket.index).
func rxIndex(p *wire.Packet) txIndex {
	from := p.From
	idx := txIndex{rf: !p.CF, le: p.DE, re: p.SE, si: p.SI, ti: p.TI, bf: p.BF}
	if (p.SE == 0 && p.CF) || (p.DE == 0 && !p.CF) {
		idx.re, idx.ra = 0, from
	}
	return idx
}

// txIndexOf is the index of a packet this stack sends to an address
// (TxPacket.index).
func txIndexOf(h *wire.Head, to netip.AddrPort) txIndex {
	idx := txIndex{rf: h.CF, le: h.SE, re: h.DE, si: h.SI, ti: h.TI, bf: h.BF}
	if (h.DE == 0 && !h.CF) || (h.SE == 0 && h.CF) {
		idx.re, idx.ra = 0, to
	}
	return idx
}

// transaction is one exchange with a remote: a join, allow, alive or
// message, started here (an initiator) or by the remote (a correspondent).
// Transactions are plain state machines run by the stack's loop: they hold
// no locks and start no goroutines.
type transaction interface {
	kind() raet.TrnsKind
	// receive handles a packet matched to the transaction by its index.
	receive(now time.Time, p *wire.Packet)
	// process handles the passing of time: timeouts and retransmissions.
	process(now time.Time)
	// deadline is when process next has work to do; zero for none.
	deadline() time.Time
	// nack ends the transaction with the other side.
	nack()
}

// compare orders indexes, so that a remote's transactions can be walked in
// one order.
func (a txIndex) compare(b txIndex) int {
	return cmp.Or(
		cmpBool(a.rf, b.rf),
		cmp.Compare(a.le, b.le),
		cmp.Compare(a.re, b.re),
		a.ra.Compare(b.ra),
		cmp.Compare(a.si, b.si),
		cmp.Compare(a.ti, b.ti),
		cmpBool(a.bf, b.bf),
	)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// inOrder returns the indexes of the remote's transactions in index order.
// Go's map order is random, and the order in which transactions send or
// end decides what a simulated network drops next: walked in map order, a
// seed did not replay the same run.
func (r *Remote) inOrder() []txIndex {
	idxs := make([]txIndex, 0, len(r.transactions))
	for idx := range r.transactions {
		idxs = append(idxs, idx)
	}
	slices.SortFunc(idxs, txIndex.compare)
	return idxs
}

package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// What a receiver answers about a message transaction the remote started
// must be the truth, whatever arrives late, twice or replayed: done only
// for a message handed to the application, and a message handed on at most
// once. Two records keep it so:
//
//   - done records, by session and transaction id, what became of each
//     message for doneMemory: delivered (answered done again) or refused
//     (answered nack again, and never delivered later). A sender whose
//     session changed while its message was on its way asks in its old
//     session, and learns which.
//   - the replay window, over the remote's current session, remembers which
//     transaction ids began a message, for as long as fewer than
//     replayWindowSize newer ids have begun: a message packet whose id
//     began before, or that is older than the window, is refused. A
//     captured message replayed after its done record expired is so never
//     delivered again. Transactions begin out of order (concurrent
//     messages, a lost first packet), so a late id that never began is
//     taken while it is in the window, as IPsec's and WireGuard's replay
//     windows do. Ids count up by one per transaction of any kind (the
//     reference's nextTid), so the window is counted in ids, not messages.

// replayWindowSize is how many transaction ids below the newest the replay
// window covers: a multiple of 64.
const replayWindowSize = 4096

// doneKey names a message transaction the remote started.
type doneKey struct{ sid, tid uint32 }

// doneRecord is what became of one, and until when it is remembered.
type doneRecord struct {
	at        time.Time
	delivered bool
}

// replayWindow holds which transaction ids of one session of the remote
// began a message: bit tid%replayWindowSize, for ids in (top-size, top].
type replayWindow struct {
	sid  uint32
	top  uint32 // the newest id that began; 0 for none yet
	bits [replayWindowSize / 64]uint64
}

// fresh reports whether a message may begin with transaction id tid of
// session sid: newer than any so far, or within the window and not begun.
func (w *replayWindow) fresh(sid, tid uint32) bool {
	if w.sid != sid || w.top == 0 || newer(tid, w.top) {
		return true
	}
	if w.top-tid >= replayWindowSize {
		return false
	}
	return w.bits[(tid%replayWindowSize)/64]&(1<<(tid%64)) == 0
}

// mark records that tid of session sid began; a new session starts an
// empty window.
func (w *replayWindow) mark(sid, tid uint32) {
	if w.sid != sid {
		*w = replayWindow{sid: sid}
	}
	if w.top == 0 || newer(tid, w.top) {
		if w.top == 0 || tid-w.top >= replayWindowSize {
			w.bits = [replayWindowSize / 64]uint64{}
		} else {
			for id := w.top + 1; id != tid+1; id++ {
				w.bits[(id%replayWindowSize)/64] &^= 1 << (id % 64)
			}
		}
		w.top = tid
	}
	w.bits[(tid%replayWindowSize)/64] |= 1 << (tid % 64)
}

// newer reports whether id a comes after b, ids wrapping as session ids do.
func newer(a, b uint32) bool { return a != b && ValidSID(a, b) }

// remember records what became of a message the remote started, for
// doneMemory.
func (c *core) remember(r *Remote, sid, tid uint32, delivered bool) {
	at := c.clock.Now().Add(doneMemory)
	k := doneKey{sid, tid}
	r.done[k] = doneRecord{at: at, delivered: delivered}
	c.doneQueue = append(c.doneQueue, doneEntry{at: at, r: r, key: k})
}

// forgetDone forgets what the remote's messages came to: it lost its ids,
// and its new ones may repeat them.
func (r *Remote) forgetDone() {
	clear(r.done)
	r.replay, r.lastDone = nil, sentDone{}
}

// answerDone answers a message packet whose transaction has ended here, as
// it ended: done when it was delivered, nack when it was refused. It
// reports false when nothing is recorded of it.
func (c *core) answerDone(p *wire.Packet, r *Remote, from netip.AddrPort) bool {
	rec, ok := r.done[doneKey{p.SI, p.TI}]
	if !ok {
		return false
	}
	if d := r.lastDone; rec.delivered && d.foot != nil && d.sid == p.SI && d.tid == p.TI && d.wf == p.WF && from == r.HA {
		// The done the message had, again: the same head, so the same
		// bytes, with no second signature. Back-to-back jobs to 1,000
		// emulated minions had a copy of every second return.
		c.writeFoot(d.foot, from)
		c.stat("message_done_again")
		return true
	}
	h := c.staleHead(p)
	h.SE, h.DE, h.CF, h.WF = p.DE, p.SE, true, p.WF
	if rec.delivered {
		// The reference answers a stale nack, and its sender, whose done
		// was lost or overtaken, then believes a delivered message
		// refused; a Python messenger takes done as completion too.
		h.PK = raet.PcktDone
		c.stat("message_done_again")
	} else {
		c.stat("message_refused_again")
	}
	c.send(&h, from)
	return true
}

// admitMessage decides whether the first packet seen of a message the
// remote started may begin a transaction: it has no record and is fresh
// in the replay window. A refused one is nacked and counted.
func (c *core) admitMessage(p *wire.Packet, r *Remote, from netip.AddrPort) bool {
	if c.answerDone(p, r, from) {
		return false
	}
	if r.replay == nil {
		r.replay = &replayWindow{}
	}
	if !r.replay.fresh(p.SI, p.TI) {
		c.stat("message_replay")
		c.replyStale(p, from, false)
		return false
	}
	r.replay.mark(p.SI, p.TI)
	if p.AF {
		// A retransmitted segment of a message never begun here: the
		// message is refused, and stays refused if its first packet comes
		// after all.
		c.remember(r, p.SI, p.TI, false)
		c.replyStale(p, from, false)
		return false
	}
	return true
}

// sentDone is the done last sent to a remote for one of its messages, by
// the message's session and transaction ids and the wf it mirrored: its
// signed datagram and footing (a few hundred bytes per remote that sent a
// message), not the whole packet (540 bytes measured).
type sentDone struct {
	sid, tid uint32
	wf       bool
	foot     *wire.Footing
}

// keepDone remembers p, a done just sent to r (see answerDone).
func (r *Remote) keepDone(p *wire.Packet) {
	if f := p.Later(); f != nil {
		r.lastDone = sentDone{sid: p.SI, tid: p.TI, wf: p.WF, foot: f}
	}
}

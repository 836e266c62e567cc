package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// redo is a retransmission timer with the reference's back-off: each expiry
// doubles the wait, between min and max, and retransmitting restarts it.
type redo struct {
	min, max time.Duration
	wait     time.Duration // the current wait
	at       time.Time     // when it expires; zero when stopped
}

func newRedo(min, max time.Duration) redo { return redo{min: min, max: max, wait: min} }

// restart starts the current wait over from now (StoreTimer.restart).
func (r *redo) restart(now time.Time) { r.at = now.Add(r.wait) }

// restartWith sets a new wait and starts it from now.
func (r *redo) restartWith(now time.Time, wait time.Duration) {
	r.wait = wait
	r.restart(now)
}

// backoff doubles the wait within [min, max] and starts it from now, as
// every transaction's process does when its redo timer expires.
func (r *redo) backoff(now time.Time) {
	r.restartWith(now, min(max(r.min, 2*r.wait), r.max))
}

func (r *redo) expired(now time.Time) bool { return !r.at.IsZero() && !now.Before(r.at) }

// again starts the next wait once the timer has expired: the long wait of a
// join the other side pended, else the back-off.
func (r *redo) again(now time.Time, pended bool, pendWait time.Duration) {
	if pended {
		r.restartWith(now, pendWait)
	} else {
		r.backoff(now)
	}
}

// txBase is what every transaction has (Transaction in the reference): its
// stack and remote, who started it, its session and transaction ids, its
// overall timer, and the last packet it sent, for retransmission.
type txBase struct {
	c      *core
	r      *Remote
	tk     raet.TrnsKind
	rmt    bool // the remote started it: we are the correspondent
	sid    uint32
	tid    uint32
	expire time.Time // when the transaction gives up; zero for never
	redo   redo
	last   *wire.Packet // the last packet transmitted

	// self is the transaction this is the base of, for the plumbing below
	// that every kind shares: the head of its packets and its removal.
	self txSelf
	// nackTo is where nacks go when not to the remote's address: a joinent
	// answers where the request came from, the remote not being settled yet.
	nackTo netip.AddrPort
}

// txSelf is what a transaction kind gives the common plumbing.
type txSelf interface {
	// headOf is the head of the transaction's packets of kind pk.
	headOf(pk raet.PcktKind) wire.Head
	// remove forgets the transaction, and whatever goes with that.
	remove()
}

// newTxBase starts a transaction's timers. A timeout of 0 means never, as
// the reference's timeout 0.0 does.
func newTxBase(c *core, r *Remote, tk raet.TrnsKind, rmt bool, sid, tid uint32, timeout, redoMin, redoMax time.Duration) txBase {
	now := c.clock.Now()
	b := txBase{c: c, r: r, tk: tk, rmt: rmt, sid: sid, tid: tid, redo: newRedo(redoMin, redoMax)}
	if timeout > 0 {
		b.expire = now.Add(timeout)
	}
	return b
}

func (b *txBase) kind() raet.TrnsKind { return b.tk }

// index is the transaction's index once both estates know each other's
// ids (Transaction.index); joins index by their first packet instead.
func (b *txBase) index() txIndex {
	return txIndex{rf: b.rmt, le: b.r.UID, re: b.r.FUID, si: b.sid, ti: b.tid}
}

// timedOut reports whether the overall timer has run out.
func (b *txBase) timedOut(now time.Time) bool { return !b.expire.IsZero() && !now.Before(b.expire) }

// gaveUp reports whether the overall timer has run out, and counts it as
// the side's timeout.
func (b *txBase) gaveUp(now time.Time) bool {
	if !b.timedOut(now) {
		return false
	}
	b.c.stat(b.side() + "_timeout")
	return true
}

// deadline is the earlier of the overall timeout and the redo timer.
func (b *txBase) deadline() time.Time {
	d := b.expire
	if !b.redo.at.IsZero() && (d.IsZero() || b.redo.at.Before(d)) {
		d = b.redo.at
	}
	return d
}

// head starts the head of a packet of this transaction: the estate ids,
// who started it, session and transaction, the stack's head and body kinds.
func (b *txBase) head(pk raet.PcktKind, ck raet.CoatKind, fk raet.FootKind) wire.Head {
	return wire.Head{HK: b.c.cfg.HeadKind, BK: b.c.cfg.BodyKind, PK: pk, TK: b.tk,
		SE: b.r.UID, DE: b.r.FUID, CF: b.rmt, SI: b.sid, TI: b.tid, CK: ck, FK: fk}
}

// pack serialises a body as the head's body kind (or takes it as raw
// bytes) and packs one packet, coated with the session's box when the coat
// kind asks for it and signed with the stack's key.
func (b *txBase) pack(h wire.Head, v any) (*wire.Packet, error) {
	var plain []byte
	switch x := v.(type) {
	case nil:
	case []byte:
		plain = x
	default:
		var err error
		if plain, err = body.Encode(h.BK, x); err != nil {
			return nil, err
		}
	}
	var box *raet.Box
	if h.CK == raet.CoatNacl && len(plain) > 0 {
		var err error
		if box, err = b.r.sessionBox(); err != nil {
			return nil, err
		}
	}
	return wire.PackLater(&h, plain, box, b.c.signer)
}

// send packs a packet of the transaction and transmits it to the remote.
// A packet that cannot be packed ends the transaction: remove is its own.
func (b *txBase) send(h wire.Head, v any, remove func()) bool {
	p, err := b.pack(h, v)
	if err != nil {
		b.c.stat("packing_error")
		remove()
		return false
	}
	return b.transmit(p)
}

// redoLast sends the last packet again when the redo timer has expired,
// backing off, and counts it under stat (or "redo_" and the packet kind).
func (b *txBase) redoLast(now time.Time, stat string) {
	if !b.redo.expired(now) {
		return
	}
	b.redo.backoff(now)
	if b.last == nil {
		return
	}
	b.transmit(b.last)
	if stat == "" {
		stat = "redo_" + b.last.PK.String()
	}
	b.c.stat(stat)
}

// transmit sends a packet to the remote and restarts the redo timer, so the
// packet goes again if nothing answers.
func (b *txBase) transmit(p *wire.Packet) bool {
	if !b.c.write(p, b.r.HA) {
		return false
	}
	b.r.meter.transmitted(p == b.last || p.AF)
	b.last = p
	b.redo.restart(b.c.clock.Now())
	return true
}

// side is the reference's name of this side of the transaction (joiner,
// allowent, ...): the prefix of its stats.
func (b *txBase) side() string { return sideName(b.tk, b.rmt) }

// sendKind packs a packet of kind pk with the transaction's head and
// transmits it; a packet that cannot be packed ends the transaction.
func (b *txBase) sendKind(pk raet.PcktKind, v any) bool {
	return b.send(b.self.headOf(pk), v, b.self.remove)
}

// fail ends the transaction after the other side refused or ended it.
func (b *txBase) fail() {
	b.c.stat(b.side() + "_transaction_failure")
	b.self.remove()
}

// nack ends the transaction with the other side.
func (b *txBase) nack() { b.nackKind(raet.PcktNack) }

// nackKind ends the transaction, telling the other side why with an empty
// packet of kind pk. The transaction is forgotten first; the nack is not
// sent again.
func (b *txBase) nackKind(pk raet.PcktKind) {
	b.self.remove()
	h := b.self.headOf(pk)
	to := b.r.HA
	if b.nackTo.IsValid() {
		to = b.nackTo
	}
	b.c.send(&h, to)
	b.c.stat(b.side() + "_transaction_failure")
}

// reject ends the transaction because a packet of the other side did not
// check out, counted under stat.
func (b *txBase) reject(stat string) {
	b.c.stat(stat)
	b.nackKind(raet.PcktReject)
}

// inProcess returns a remote's transactions of one kind, in index order.
func inProcess(r *Remote, tk raet.TrnsKind) []transaction {
	var ts []transaction
	for _, idx := range r.inOrder() {
		if t := r.transactions[idx]; t.kind() == tk {
			ts = append(ts, t)
		}
	}
	return ts
}

// sessionBox is the box of the current session: our short-term key for the
// remote and its short-term key, both set by the allow handshake. It is made
// once per session, so no packet computes an X25519.
func (r *Remote) sessionBox() (*raet.Box, error) {
	if r.box != nil {
		return r.box, nil
	}
	if r.privee == nil || r.publee == nil {
		return nil, raet.Errorf(raet.CodeCoat, "no session with %q: not allowed", r.Name)
	}
	box, err := raet.NewBox(r.privee, r.publee)
	if err != nil {
		return nil, err
	}
	r.box = box
	return box, nil
}

package road

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// The one receive path (_handleOneRx and processRx): check, the half that
// may run beside the loop, parses a datagram and verifies its signature
// against a snapshot of the remotes' verify keys; receiveChecked, the loop's
// half, settles what the snapshot could not and dispatches the packet. A
// running Stack calls the halves on its workers and its loop; receive calls
// both in turn, so the deterministic simulations go the production way.
// Whatever is dropped is counted by reason in the stats.

// receive takes one datagram from the wire on the caller's goroutine: the
// simulations' way in. It publishes the verify keys first, as the stack's
// loop does after each thing it handles, so check sees what a worker would.
func (c *core) receive(from netip.AddrPort, b []byte) { c.receiveAt(from, b, time.Time{}) }

// receiveAt is receive of a datagram the socket received at at (zero when
// unknown): a simulation of a socket that held it a while.
func (c *core) receiveAt(from netip.AddrPort, b []byte, at time.Time) {
	c.publishVerifiers()
	c.receiveChecked(c.checkAt(from, b, at))
}

// checkAt is the workers' half of receiving on a stack's own state: the
// check, a hello aged out before it (allowlimit.go), and the key work of
// an allow's packets after it.
func (c *core) checkAt(from netip.AddrPort, b []byte, at time.Time) verified {
	v := checkAged(from, b, &c.keys, !c.cfg.Unveritive, c.seen, c.agedOut(at))
	v.at = at
	return c.hellos.prep(v, c.keys.Load())
}

// verified is what a worker hands the loop: a packet checked with a key,
// or why the datagram was dropped.
type verified struct {
	from netip.AddrPort
	p    *wire.Packet
	with *raet.Verifier // the key the signature was checked with; nil for none
	err  error
	// hello and initiate are the key work of an allow's packets, done
	// beside the check (allowprep.go); nil for any other packet.
	hello    *helloPrep
	initiate *initiateWork
	repeat   bool      // a copy of a datagram verified lately, not verified again
	stale    bool      // a hello that waited too long in the socket, not verified
	at       time.Time // when the socket received it; zero when unknown
}

// check is the workers' half of receiving: it parses a datagram and, when
// the snapshot has the sender's key, verifies its signature, off the loop.
func check(from netip.AddrPort, b []byte, keys *atomic.Pointer[verifiers], veritive bool) verified {
	return checkSeen(from, b, keys, veritive, nil)
}

// checkSeen is check that verifies a copy of a datagram verified lately
// no more (verifyseen.go); seen may be nil.
func checkSeen(from netip.AddrPort, b []byte, keys *atomic.Pointer[verifiers], veritive bool, seen *verifiedSeen) verified {
	return checkAged(from, b, keys, veritive, seen, false)
}

// checkAged is checkSeen of a datagram that, when aged, waited in the
// socket longer than a hello may: a hello is then dropped unverified.
func checkAged(from netip.AddrPort, b []byte, keys *atomic.Pointer[verifiers], veritive bool, seen *verifiedSeen, aged bool) verified {
	p, err := wire.ParsePacket(b)
	if err != nil {
		return verified{from: from, err: err}
	}
	p.From = from
	if isStaleHello(aged, p.TK, p.PK) {
		return verified{from: from, p: p, stale: true}
	}
	if veritive && p.TK == raet.TrnsMessage && p.FK != raet.FootNacl {
		return verified{from: from, err: raet.Errorf(raet.CodeSignature, "failed verification: missing signature")}
	}
	if !p.Signed() {
		return verified{from: from, p: p}
	}
	v := keys.Load().get(p.DE)
	if v == nil {
		// The loop may know a key the snapshot does not have yet.
		return verified{from: from, p: p}
	}
	k, remember := seen.key(b) // before Verify, which zeroes the foot for a while
	if remember && seen.seen(k, v) {
		return verified{from: from, p: p, with: v, repeat: true}
	}
	if err := p.Verify(v); err != nil {
		// The loop decides: the snapshot's key may be one the remote no
		// longer has.
		return verified{from: from, p: p, with: v, err: err}
	}
	if remember {
		seen.verified(k, v)
	}
	return verified{from: from, p: p, with: v}
}

// receiveChecked is the loop's half of receiving: it takes a datagram a
// worker has parsed and, when it could, verified, and dispatches it. A
// signature checked with a key that is no longer the remote's, or not
// checked at all, is checked here.
func (c *core) receiveChecked(v verified) {
	if v.err != nil && (v.p == nil || !c.staleKey(v)) {
		c.dropOuter(v.err)
		return
	}
	p := v.p
	if v.stale {
		c.stat("allow_hello_stale_dropped")
		return
	}
	if v.repeat {
		c.stat("verified_repeat")
	}
	if p.Signed() {
		r := c.remotes[p.DE]
		if r == nil || r.verfer == nil {
			c.unknownRemote(c.clock.Now(), p, v.from)
			return
		}
		if r.verfer != v.with {
			if err := p.Verify(r.verfer); err != nil {
				c.dropOuter(err)
				return
			}
		}
	}
	c.helloWork, c.initiateWork, c.workPacket, c.workAt = v.hello, v.initiate, p, v.at
	c.dispatch(c.clock.Now(), p, v.from)
	c.helloWork, c.initiateWork, c.workPacket, c.workAt = nil, nil, nil, time.Time{}
	// Whatever the packet changed, its remote's next deadline may be sooner.
	c.rewake(c.remotes[p.DE])
	c.rewake(c.joinees[v.from])
}

// staleKey reports whether a signature a worker found bad was checked with
// a key its remote no longer holds (a join changed it since the snapshot),
// so that the check is made again with the current one, not the datagram
// dropped for the snapshot's lag.
func (c *core) staleKey(v verified) bool {
	r := c.remotes[v.p.DE]
	return r != nil && r.verfer != nil && r.verfer != v.with
}

// unknownRemote drops a signed packet from an estate we hold no remote
// for: it cannot be verified. The reference stops there, so a joiner whose
// main lost it (a main restarted without its keep, or down before it kept
// the join) went on sending hellos and alives into the void for ever. An
// initiator's first packet is answered unjoined instead, from our side of
// the index it named, so its transaction ends and it joins again (and on a
// mutable road is told to renew). The answer is signed, so nobody else can
// make a joiner drop its join; it is no larger than what provoked it, and
// at most unjoinedPerSecond go out each second, so a flood of strangers
// costs little signing.
func (c *core) unknownRemote(now time.Time, p *wire.Packet, from netip.AddrPort) {
	c.dropOuter(raet.Errorf(raet.CodeSignature, "failed verification: nuid %d not in remotes", p.DE))
	_, starter := correspondentStarters[[2]uint8{uint8(p.TK), uint8(p.PK)}]
	if !starter || p.TK == raet.TrnsJoin || p.CF || p.BF || p.SI == 0 || p.SE == 0 || p.DE == 0 || p.AF {
		return
	}
	if now.Sub(c.unjoinedSecond) >= time.Second {
		c.unjoinedSecond, c.unjoinedCount = now, 0
	}
	if c.unjoinedCount >= unjoinedPerSecond {
		c.stat("unknown_remote_unjoined_limited")
		return
	}
	c.unjoinedCount++
	h := c.staleHead(p)
	h.PK, h.SE, h.DE, h.CF = raet.PcktUnjoined, p.DE, p.SE, true
	if c.send(&h, from) {
		c.stat("unknown_remote_unjoined")
	}
}

// unjoinedPerSecond bounds the answers to strangers (see unknownRemote).
const unjoinedPerSecond = 256

func (c *core) dropOuter(err error) {
	c.stat("parsing_outer_error")
	c.stat("parsing_outer_error_" + string(raet.CodeOf(err)))
}

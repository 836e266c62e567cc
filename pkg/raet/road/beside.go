package road

import (
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// What runs beside the loop (DESIGN: the loop never waits on a syscall or a
// signature). Workers parse received datagrams and verify their signatures
// against a snapshot of the remotes' verify keys, which the loop publishes
// whenever a join or restore changes them; writers sign what the loop packed
// and make the sends. The loop then dispatches packets whose signatures are already
// checked. The deterministic simulations call the core directly and run
// none of this.

// verified is what a worker hands the loop: a packet checked with a key,
// or why the datagram was dropped.
type verified struct {
	from netip.AddrPort
	p    *wire.Packet
	with *raet.Verifier // the key the signature was checked with; nil for none
	err  error
}

// verifiers is the loop's published snapshot of verify keys by nuid.
type verifiers = map[uint32]*raet.Verifier

// publishVerifiers copies the remotes' verify keys for the workers when they
// may have changed.
func (c *core) publishVerifiers(to *atomic.Pointer[verifiers]) {
	if !c.verifiersChanged {
		return
	}
	m := make(verifiers, len(c.remotes))
	for uid, r := range c.remotes {
		if r.verfer != nil {
			m[uid] = r.verfer
		}
	}
	to.Store(&m)
	c.verifiersChanged = false
}

// check parses and verifies a datagram as core.receive does, off the loop.
func check(from netip.AddrPort, b []byte, keys *atomic.Pointer[verifiers], veritive bool) verified {
	p, err := wire.ParsePacket(b)
	if err != nil {
		return verified{from: from, err: err}
	}
	p.From = from
	if veritive && p.TK == raet.TrnsMessage && p.FK != raet.FootNacl {
		return verified{from: from, err: raet.Errorf(raet.CodeSignature, "failed verification: missing signature")}
	}
	if !p.Signed() {
		return verified{from: from, p: p}
	}
	v := (*keys.Load())[p.DE]
	if v == nil {
		// The loop may know a key the snapshot does not have yet.
		return verified{from: from, p: p}
	}
	if err := p.Verify(v); err != nil {
		// The loop decides: the snapshot's key may be one the remote no
		// longer has.
		return verified{from: from, p: p, with: v, err: err}
	}
	return verified{from: from, p: p, with: v}
}

// receiveChecked takes a datagram a worker has parsed and, when it could,
// verified. A signature checked with a key that is no longer the remote's,
// or not checked at all, is checked here.
func (c *core) receiveChecked(v verified) {
	if v.err != nil && (v.p == nil || !c.staleKey(v)) {
		c.dropOuter(v.err)
		return
	}
	p := v.p
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
	c.dispatch(c.clock.Now(), p, v.from)
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

// checkers is how many workers verify: one per core, the loop's included.
func checkers() int { return max(1, runtime.GOMAXPROCS(0)) }

// asyncConn signs and sends on writer goroutines, so the loop never waits
// on a signature or the socket. Sends are sharded by destination, keeping
// each peer's datagrams in the order the loop sent them. Sends queue; a
// full queue makes the loop wait, rather than drop.
type asyncConn struct {
	Conn
	out    []chan outgoing
	errors *atomic.Uint64
	wg     sync.WaitGroup
}

type outgoing struct {
	b  []byte
	f  *wire.Footing // signed before the send when set
	to netip.AddrPort
}

func newAsyncConn(c Conn, writers int, errors *atomic.Uint64) *asyncConn {
	a := &asyncConn{Conn: c, out: make([]chan outgoing, writers), errors: errors}
	for i := range a.out {
		a.out[i] = make(chan outgoing, 1024)
	}
	return a
}

func (a *asyncConn) WriteTo(b []byte, to netip.AddrPort) error {
	a.out[shardOf(to, len(a.out))] <- outgoing{b: b, to: to}
	return nil
}

func (a *asyncConn) writeLater(f *wire.Footing, to netip.AddrPort) error {
	a.out[shardOf(to, len(a.out))] <- outgoing{f: f, to: to}
	return nil
}

// start runs the writers; each ends once its queue is closed and empty.
func (a *asyncConn) start() {
	for _, out := range a.out {
		a.wg.Add(1)
		go a.write(out)
	}
}

// stop closes the queues and waits until what was queued is sent.
func (a *asyncConn) stop() {
	for _, out := range a.out {
		close(out)
	}
	a.wg.Wait()
}

func (a *asyncConn) write(out <-chan outgoing) {
	defer a.wg.Done()
	for o := range out {
		b := o.b
		if o.f != nil {
			b = o.f.Sign()
		}
		if err := a.Conn.WriteTo(b, o.to); err != nil {
			a.errors.Add(1)
		}
	}
}

// shardOf picks a peer's checker from its address.
func shardOf(a netip.AddrPort, n int) int {
	b := a.Addr().As16()
	h := uint32(a.Port())
	for _, x := range b[12:] {
		h = h*31 + uint32(x)
	}
	return int(h % uint32(n))
}

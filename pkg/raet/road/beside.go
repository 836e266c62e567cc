package road

import (
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// What runs beside the loop (DESIGN: the loop never waits on a syscall or a
// signature). Workers run check, the first half of the receive path
// (receive.go), on received datagrams, against a snapshot of the remotes'
// verify keys that the loop publishes whenever a join or restore changes
// them; writers sign what the loop packed and make the sends. The loop then
// runs receiveChecked, the second half. The deterministic simulations run
// the same two halves on one goroutine (core.receive) and sign as they
// write, but start none of these goroutines.

// checkers is how many workers verify: one per core, the loop's included.
func checkers() int { return max(1, runtime.GOMAXPROCS(0)) }

// workers returns how many checkers and writers a stack runs, and the
// length of its queues (Config.Workers, Config.QueueLen).
func (cfg *Config) workers() (workers, qlen int) {
	workers, qlen = cfg.Workers, cfg.QueueLen
	if workers <= 0 {
		workers = checkers()
	}
	if qlen <= 0 {
		qlen = DefaultQueueLen
	}
	return workers, qlen
}

// asyncConn signs and sends on writer goroutines, so the loop never waits
// on a signature or the socket. Sends are sharded by destination, keeping
// each peer's datagrams in the order the loop sent them. Sends queue; a
// full queue makes the loop wait, rather than drop.
type asyncConn struct {
	Conn
	out    []chan outgoing
	errors *atomic.Uint64
	wg     sync.WaitGroup
	batch  bool // several datagrams per send, when the Conn can
	// busy counts each writer's datagrams queued and not yet sent;
	// lastSend is the loop's last send, direct whether a send after a
	// quiet spell is made by the loop (inline.go).
	busy     []atomic.Int32
	lastSend time.Time
	direct   bool
}

type outgoing struct {
	b  []byte
	f  *wire.Footing // signed before the send when set
	to netip.AddrPort
}

func newAsyncConn(c Conn, writers, qlen int, errors *atomic.Uint64) *asyncConn {
	a := &asyncConn{Conn: c, out: make([]chan outgoing, writers), errors: errors,
		busy: make([]atomic.Int32, writers), direct: true}
	for i := range a.out {
		a.out[i] = make(chan outgoing, qlen)
	}
	return a
}

func (a *asyncConn) WriteTo(b []byte, to netip.AddrPort) error {
	a.queue(outgoing{b: b, to: to})
	return nil
}

func (a *asyncConn) writeLater(f *wire.Footing, to netip.AddrPort) error {
	a.queue(outgoing{f: f, to: to})
	return nil
}

// start runs the writers; each ends once its queue is closed and empty.
func (a *asyncConn) start() {
	for i := range a.out {
		a.wg.Add(1)
		go a.write(a.out[i], &a.busy[i])
	}
}

// stop closes the queues and waits until what was queued is sent.
func (a *asyncConn) stop() {
	for _, out := range a.out {
		close(out)
	}
	a.wg.Wait()
}

func (a *asyncConn) write(out <-chan outgoing, busy *atomic.Int32) {
	defer a.wg.Done()
	if bc, ok := a.Conn.(BatchConn); ok && a.batch {
		a.writeBatched(bc, out, busy)
		return
	}
	for o := range out {
		a.writeNow(o)
		busy.Add(-1)
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

package road

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Batched socket I/O: a main reads the datagrams many estates send at once,
// and its writers send what the loop queued (a publish to every minion, the
// segments of a burst), several per system call (recvmmsg, sendmmsg). Each
// call costs about what one datagram's did, so under load the system calls
// per datagram fall by up to the batch size; an idle stack pays nothing for
// it, its buffers growing only once the socket held more than one datagram.

// BatchConn is a Conn that also moves several datagrams per system call.
// The stack uses it when its Conn has it (a UDP socket from ListenUDP); a
// Conn without it, as the simulated network's, goes one datagram at a time.
type BatchConn interface {
	Conn
	// ReadBatch waits for a datagram and reads as many as are queued, up
	// to len(ms), each into its ms[i].B: ms[i].N bytes from ms[i].Addr.
	ReadBatch(ms []Msg) (int, error)
	// WriteBatch sends each ms[i].B to ms[i].Addr, in order. It returns how
	// many went before the first that failed, and that one's error.
	WriteBatch(ms []Msg) (int, error)
}

// Msg is one datagram of a batch.
type Msg struct {
	B    []byte
	N    int
	Addr netip.AddrPort
	// At is when the kernel received a datagram read, where the socket
	// says (SO_TIMESTAMPNS on Linux); zero otherwise.
	At time.Time
}

// Batch sizes: DefaultReadBatch datagrams per read on a main (the socket
// many estates send to), one on other stacks, whose buffers a process
// emulating thousands of estates would multiply; WriteBatch datagrams per
// send, which cost no buffers (they point at the packets queued).
const (
	DefaultReadBatch = 32
	writeBatch       = 64
	readBufSize      = 64 << 10 // any UDP datagram
	// writeBatchBytes ends a write batch early: a batch is signed whole
	// before it is sent, so the path-sized segments of a large message
	// (17 of 64 KB for 1 MB) would reach the receiver only once all were
	// signed. Sent as each is signed, the receiver verifies one while the
	// next is signed, on the other core; small datagrams still go 64 at a
	// time.
	writeBatchBytes = 16 << 10
)

// readBatch is how many datagrams one read may take: Config.ReadBatch, or
// its default.
func (c *Config) readBatch() int {
	switch {
	case c.ReadBatch > 0:
		return c.ReadBatch
	case c.ReadBatch < 0 || !c.Main:
		return 1
	}
	return DefaultReadBatch
}

// batchPC is what ipv4.PacketConn and ipv6.PacketConn share: their Message
// is the same type.
type batchPC interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

func newBatchPC(c *net.UDPConn, local netip.AddrPort) batchPC {
	if local.Addr().Is4() {
		return ipv4.NewPacketConn(c)
	}
	return ipv6.NewPacketConn(c)
}

// xmsgs are the x/net messages of one call, reused.
var xmsgs = sync.Pool{New: func() any { return new([]ipv4.Message) }}

func getXmsgs(n int) *[]ipv4.Message {
	p := xmsgs.Get().(*[]ipv4.Message)
	if cap(*p) < n {
		*p = make([]ipv4.Message, n)
	}
	*p = (*p)[:n]
	return p
}

// putXmsgs returns messages to the pool, holding no packet. Their
// addresses stay, for WriteBatch to fill again.
func putXmsgs(p *[]ipv4.Message) {
	for i := range *p {
		clear((*p)[i].Buffers)
	}
	xmsgs.Put(p)
}

// udpAddr writes a into the *net.UDPAddr of a pooled message, made once,
// so that a send allocates nothing per datagram.
func udpAddr(x *ipv4.Message, a netip.AddrPort) {
	ua, ok := x.Addr.(*net.UDPAddr)
	if !ok {
		ua = &net.UDPAddr{IP: make(net.IP, 0, 16)}
		x.Addr = ua
	}
	if ip := a.Addr(); ip.Is4() {
		b := ip.As4()
		ua.IP = append(ua.IP[:0], b[:]...)
	} else {
		b := ip.As16()
		ua.IP = append(ua.IP[:0], b[:]...)
	}
	ua.Port, ua.Zone = int(a.Port()), a.Addr().Zone()
}

func (u *udpConn) ReadBatch(ms []Msg) (int, error) {
	if u.raw != nil {
		return u.raw.readBatch(ms)
	}
	p := getXmsgs(len(ms))
	defer putXmsgs(p)
	xs := *p
	for i := range ms {
		xs[i].Buffers = append(xs[i].Buffers[:0], ms[i].B)
		xs[i].Addr = nil // set by the read
	}
	n, err := u.batch.ReadBatch(xs, 0)
	n = max(n, 0) // a failed call reports -1
	for i := 0; i < n; i++ {
		ms[i].N = xs[i].N
		ms[i].Addr = netip.AddrPort{}
		if a, ok := xs[i].Addr.(*net.UDPAddr); ok {
			ms[i].Addr = NormalizeAddr(a.AddrPort())
		}
	}
	return n, unwrapClosed(err)
}

func (u *udpConn) WriteBatch(ms []Msg) (int, error) {
	if u.raw != nil {
		return u.raw.writeBatch(ms)
	}
	p := getXmsgs(len(ms))
	defer putXmsgs(p)
	xs := *p
	for i := range ms {
		xs[i].Buffers = append(xs[i].Buffers[:0], ms[i].B)
		udpAddr(&xs[i], ms[i].Addr)
	}
	n, err := u.batch.WriteBatch(xs, 0)
	return max(n, 0), unwrapClosed(err) // a failed call reports -1
}

// unwrapClosed keeps net.ErrClosed findable with errors.Is, as the single
// calls' errors are: the reader ends on it.
func unwrapClosed(err error) error {
	if err != nil && errors.Is(err, net.ErrClosed) {
		return net.ErrClosed
	}
	return err
}

// writeAll sends a batch, skipping (and counting) a datagram the socket
// refuses, as the one-at-a-time writer does.
func (a *asyncConn) writeAll(bc BatchConn, ms []Msg) {
	for len(ms) > 0 {
		n, err := bc.WriteBatch(ms)
		if n < len(ms) && (err != nil || n == 0) {
			a.errors.Add(1)
			n++ // the one that failed
		}
		ms = ms[n:]
	}
}

// writeBatched is a writer of a BatchConn: it takes what is queued, up to
// writeBatch datagrams or writeBatchBytes, signs them and sends them in one
// call.
func (a *asyncConn) writeBatched(bc BatchConn, out <-chan outgoing, busy *atomic.Int32) {
	ms := make([]Msg, 0, writeBatch)
	for o := range out {
		ms = append(ms[:0], o.msg())
		size := len(ms[0].B)
	more:
		for len(ms) < cap(ms) && size < writeBatchBytes {
			select {
			case o, ok := <-out:
				if !ok {
					break more
				}
				ms = append(ms, o.msg())
				size += len(ms[len(ms)-1].B)
			default:
				break more
			}
		}
		a.writeAll(bc, ms)
		busy.Add(-int32(len(ms)))
		clear(ms) // keep no packet alive while the queue is empty
	}
}

func (o outgoing) msg() Msg {
	b := o.b
	if o.f != nil {
		b = o.f.Sign()
	}
	return Msg{B: b, Addr: o.to}
}

// readBatched is the reader of a BatchConn (see read): its batch starts
// at one buffer and doubles, up to max, each time a read filled it.
func (s *Stack) readBatched(bc BatchConn, max int, errc chan<- error) {
	size := s.core.readSize()
	ms := []Msg{{B: make([]byte, size)}}
	failures := 0
	for {
		n, err := bc.ReadBatch(ms)
		for i := 0; i < n; i++ {
			if !s.pass(ms[i].Addr, ms[i].B[:ms[i].N], ms[i].At) {
				return
			}
		}
		if err != nil {
			if s.readFailed(err, &failures, errc) {
				return
			}
			continue
		}
		failures = 0
		if n == len(ms) && len(ms) < max {
			for range min(len(ms), max-len(ms)) {
				ms = append(ms, Msg{B: make([]byte, size)})
			}
		}
	}
}

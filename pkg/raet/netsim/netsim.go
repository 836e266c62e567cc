// Package netsim is an in-memory datagram network for testing RAET stacks:
// the UDP of a simulation. Datagrams in flight wait in a queue ordered by
// delivery time; a fault model drawn from one seeded random source drops,
// duplicates, delays and so reorders them. The same seed gives the same run,
// so a failing seed replays exactly.
//
// The network does not move time itself. A simulator asks Next for the time
// of the next delivery, moves its clock there, and calls Deliver; endpoints
// hand what arrives to a handler (for stacks driven in one goroutine) or
// queue it for ReadFrom (for stacks that run their own loop).
package netsim

import (
	"container/heap"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Faults is the fault model of a link.
type Faults struct {
	Loss      float64       // probability that a datagram is dropped
	Duplicate float64       // probability that a datagram arrives twice
	Delay     time.Duration // least time in flight
	Jitter    time.Duration // up to this much more, drawn per datagram: reorders
}

// Stats counts what the network did.
type Stats struct {
	Sent, Delivered, Dropped, Duplicated, Unreachable int
}

// Network is the simulated wire between endpoints.
type Network struct {
	mu        sync.Mutex
	rng       *rand.Rand
	now       func() time.Time
	faults    Faults
	links     map[[2]netip.AddrPort]Faults // per direction overrides
	endpoints map[netip.AddrPort]*Endpoint
	flight    flightHeap
	seq       uint64
	stats     Stats
	mtu       int
}

// New makes a network whose random choices come from seed and whose sense
// of time is now (a fake clock's Now, usually).
func New(seed int64, now func() time.Time) *Network {
	return &Network{
		rng:       rand.New(rand.NewSource(seed)),
		now:       now,
		links:     map[[2]netip.AddrPort]Faults{},
		endpoints: map[netip.AddrPort]*Endpoint{},
		mtu:       65535,
	}
}

// SetFaults sets the fault model of every link without its own.
func (n *Network) SetFaults(f Faults) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.faults = f
}

// SetLinkFaults sets the fault model of datagrams from one address to another.
func (n *Network) SetLinkFaults(from, to netip.AddrPort, f Faults) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.links[[2]netip.AddrPort{from, to}] = f
}

// Stats returns the counts so far.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// ErrAddrInUse is returned by Listen for an address already bound.
var ErrAddrInUse = errors.New("netsim: address already in use")

// Listen binds an endpoint at addr.
func (n *Network) Listen(addr netip.AddrPort) (*Endpoint, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.endpoints[addr]; ok {
		return nil, fmt.Errorf("%w: %s", ErrAddrInUse, addr)
	}
	e := &Endpoint{net: n, addr: addr, inbox: make(chan Datagram, 512), closed: make(chan struct{})}
	n.endpoints[addr] = e
	return e, nil
}

// Datagram is one datagram in flight or delivered.
type Datagram struct {
	From, To netip.AddrPort
	Data     []byte
	At       time.Time // when it arrives
	seq      uint64
}

func (n *Network) send(from, to netip.AddrPort, b []byte) error {
	if len(b) > n.mtu {
		return fmt.Errorf("netsim: datagram of %d bytes exceeds %d", len(b), n.mtu)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stats.Sent++
	f, ok := n.links[[2]netip.AddrPort{from, to}]
	if !ok {
		f = n.faults
	}
	// Every datagram draws the same numbers whatever the model, so changing
	// one probability does not shift the random stream of the rest.
	lose, dup, j1, j2 := n.rng.Float64(), n.rng.Float64(), n.rng.Float64(), n.rng.Float64()
	if lose < f.Loss {
		n.stats.Dropped++
		return nil
	}
	data := append([]byte(nil), b...) // the sender may reuse its buffer
	n.push(from, to, data, f.Delay+time.Duration(j1*float64(f.Jitter)))
	if dup < f.Duplicate {
		n.stats.Duplicated++
		n.push(from, to, data, f.Delay+time.Duration(j2*float64(f.Jitter)))
	}
	return nil
}

func (n *Network) push(from, to netip.AddrPort, data []byte, delay time.Duration) {
	n.seq++
	heap.Push(&n.flight, &Datagram{From: from, To: to, Data: data, At: n.now().Add(delay), seq: n.seq})
}

// Next returns when the next datagram in flight arrives.
func (n *Network) Next() (time.Time, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.flight) == 0 {
		return time.Time{}, false
	}
	return n.flight[0].At, true
}

// InFlight counts the datagrams not yet delivered.
func (n *Network) InFlight() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.flight)
}

// Deliver hands over every datagram due by the network's now, earliest
// first, and returns how many reached an endpoint. Datagrams to an address
// nobody listens on are lost, as on UDP.
func (n *Network) Deliver() int {
	delivered := 0
	for {
		n.mu.Lock()
		if len(n.flight) == 0 || n.flight[0].At.After(n.now()) {
			n.mu.Unlock()
			return delivered
		}
		d := heap.Pop(&n.flight).(*Datagram)
		e := n.endpoints[d.To]
		if e == nil {
			n.stats.Unreachable++
		} else {
			n.stats.Delivered++
		}
		n.mu.Unlock()
		if e != nil && e.receive(*d) {
			delivered++
		}
	}
}

// Endpoint is one bound address. It satisfies the road stack's Conn.
type Endpoint struct {
	net     *Network
	addr    netip.AddrPort
	mu      sync.Mutex
	handler func(Datagram)
	inbox   chan Datagram
	closed  chan struct{}
	once    sync.Once
}

// LocalAddr returns the bound address.
func (e *Endpoint) LocalAddr() netip.AddrPort { return e.addr }

// WriteTo sends b to an address.
func (e *Endpoint) WriteTo(b []byte, to netip.AddrPort) error {
	select {
	case <-e.closed:
		return net.ErrClosed
	default:
	}
	return e.net.send(e.addr, to, b)
}

// SetHandler makes Deliver call h with each datagram for this endpoint
// instead of queueing it for ReadFrom.
func (e *Endpoint) SetHandler(h func(Datagram)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.handler = h
}

// ReadFrom waits for a datagram and copies it into b.
func (e *Endpoint) ReadFrom(b []byte) (int, netip.AddrPort, error) {
	select {
	case d := <-e.inbox:
		return copy(b, d.Data), d.From, nil
	case <-e.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

// Close unbinds the endpoint; a blocked ReadFrom returns net.ErrClosed.
func (e *Endpoint) Close() error {
	e.once.Do(func() {
		close(e.closed)
		e.net.mu.Lock()
		delete(e.net.endpoints, e.addr)
		e.net.mu.Unlock()
	})
	return nil
}

func (e *Endpoint) receive(d Datagram) bool {
	e.mu.Lock()
	h := e.handler
	e.mu.Unlock()
	if h != nil {
		h(d)
		return true
	}
	select {
	case e.inbox <- d:
		return true
	default: // a full socket buffer drops, as UDP does
		e.net.mu.Lock()
		e.net.stats.Delivered--
		e.net.stats.Dropped++
		e.net.mu.Unlock()
		return false
	}
}

// flightHeap orders datagrams by arrival, then by sending order.
type flightHeap []*Datagram

func (h flightHeap) Len() int { return len(h) }
func (h flightHeap) Less(i, j int) bool {
	if h[i].At.Equal(h[j].At) {
		return h[i].seq < h[j].seq
	}
	return h[i].At.Before(h[j].At)
}
func (h flightHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *flightHeap) Push(x any)   { *h = append(*h, x.(*Datagram)) }
func (h *flightHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return d
}

package road

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/internal/delivery"
)

// Stack is a running road stack. One goroutine, the loop, owns its state
// (the reference's single-threaded service loop made into an event loop);
// another reads the socket, so the loop never waits on a syscall. The
// methods of Stack hand work to the loop and wait for it.
type Stack struct {
	checked chan verified // datagrams the checkers passed on
	// shards feed the checkers, one each. A peer's datagrams always go to
	// the same one, so they reach the loop in the order they arrived: a
	// segment that waits (wf) overtaking the rest of its burst would make
	// the receiver ask for segments still on their way.
	shards []chan datagram
	writes *asyncConn
	// writeErrors counts failed sends made by the writers.
	writeErrors atomic.Uint64

	core  *core
	recv  chan Received // messages delivered, for Receive
	evts  chan Event    // changes of remotes, for Events
	cmds  chan func(*core)
	done  chan struct{}     // closed when the loop has ended
	err   error             // why it ended, once done is closed
	final map[string]uint64 // the stats when the loop ended
	// readErrors counts socket read errors, which the reader goroutine
	// meets outside the loop; Stats reports them as read_error.
	readErrors atomic.Uint64
	// busy counts each checker's datagrams in hand; lastRead is the
	// reader's last datagram (inline.go).
	busy     []atomic.Int32
	lastRead time.Time
}

type datagram struct {
	from netip.AddrPort
	b    []byte
	at   time.Time // when the kernel received it; zero when unknown
}

// maxReadFailures is how many socket read errors in a row end a stack.
const maxReadFailures = 1000

// ErrStopped is returned by the methods of a stack whose loop has ended.
var ErrStopped = errors.New("raet: road stack stopped")

// NewStack makes a stack from its configuration. Run starts it.
func NewStack(cfg Config) (*Stack, error) {
	if cfg.Name == "" {
		return nil, fmt.Errorf("raet: road stack needs a name")
	}
	if cfg.Conn == nil {
		return nil, fmt.Errorf("raet: road stack %q needs a connection", cfg.Name)
	}
	if cfg.Signer == nil || cfg.Privateer == nil {
		return nil, fmt.Errorf("raet: road stack %q needs its signing and private keys", cfg.Name)
	}
	c := newCore(cfg)
	if err := c.restore(); err != nil {
		return nil, fmt.Errorf("raet: road stack %q: %w", cfg.Name, err)
	}
	workers, qlen := cfg.workers()
	s := &Stack{
		core:    c,
		checked: make(chan verified, qlen),
		shards:  make([]chan datagram, workers),
		busy:    make([]atomic.Int32, workers),
		recv:    make(chan Received),
		evts:    make(chan Event),
		cmds:    make(chan func(*core)),
		done:    make(chan struct{}),
	}
	for i := range s.shards {
		s.shards[i] = make(chan datagram, max(1, qlen/4))
	}
	s.writes = newAsyncConn(cfg.Conn, workers, qlen, &s.writeErrors)
	s.writes.batch = !cfg.WriteOne
	c.conn = s.writes
	c.publishVerifiers()
	return s, nil
}

// Name returns the local estate's name: the keep's, when it has one.
func (s *Stack) Name() string { return s.core.name }

// LocalAddr returns the address the stack listens on.
func (s *Stack) LocalAddr() netip.AddrPort { return s.core.conn.LocalAddr() }

// Run serves the stack until ctx ends or its connection fails, then closes
// the connection. It returns nil when ctx ended it.
func (s *Stack) Run(ctx context.Context) error {
	readErr := make(chan error, 1)
	go s.read(readErr)
	for i := range s.shards {
		go s.check(s.shards[i], &s.busy[i])
	}
	s.writes.start()
	c := s.core
	timer := newLoopTimer(c.clock)
	defer timer.stop()
	var err error
loop:
	for {
		timer.set(c.deadline())
		// Delivered messages leave through the select, so a slow reader
		// never stops the protocol, and nothing is dropped.
		var recv chan Received
		var next Received
		if len(c.received) > 0 {
			recv, next = s.recv, c.received[0]
		}
		var evts chan Event
		var event Event
		if len(c.events) > 0 {
			evts, event = s.evts, c.events[0]
		}
		select {
		case recv <- next:
			c.received[0] = Received{}
			c.received = c.received[1:]
		case evts <- event:
			c.events = c.events[1:]
		case <-ctx.Done():
			break loop
		case err = <-readErr:
			break loop
		case v := <-s.checked:
			c.receiveChecked(v)
		case f := <-s.cmds:
			f(c)
		case <-timer.C():
			timer.fired()
			c.service()
		}
		c.publishVerifiers()
	}
	s.writes.stop()
	c.conn.Close()
	c.abandon(ErrStopped)
	s.final = maps.Clone(c.stats)
	s.err = err
	close(s.done)
	return err
}

// abandon tells every message not yet delivered why it never will be.
func (c *core) abandon(err error) {
	for _, r := range c.remotes {
		for _, t := range r.transactions {
			if mt, ok := t.(*messenger); ok {
				mt.finish(err)
			}
		}
		for _, saved := range r.saved {
			saved.report(err)
		}
		r.saved = nil
	}
}

// read copies datagrams off the socket for the loop. A full queue makes it
// wait rather than drop: the socket's own buffer holds the rest. Errors
// other than the socket closing pass: a UDP socket reports, on its next
// read, an ICMP refusal of something it sent (a peer that stopped), and a
// stack must outlive its peers. Only a run of failures with no datagram
// between them ends the stack.
func (s *Stack) read(errc chan<- error) {
	if bc, ok := s.writes.Conn.(BatchConn); ok {
		if n := s.core.cfg.readBatch(); n > 1 {
			s.readBatched(bc, n, errc)
			return
		}
	}
	buf := make([]byte, s.core.readSize())
	failures := 0
	for {
		n, from, err := s.core.conn.ReadFrom(buf)
		if err != nil {
			if s.readFailed(err, &failures, errc) {
				return
			}
			continue
		}
		failures = 0
		if !s.pass(from, buf[:n], time.Time{}) {
			return
		}
	}
}

// readFailed counts a read error and says whether the reader ends: on the
// socket closing, or the last of a run of failures (then errc says why).
func (s *Stack) readFailed(err error, failures *int, errc chan<- error) bool {
	if errors.Is(err, net.ErrClosed) {
		return true
	}
	s.readErrors.Add(1)
	if *failures++; *failures >= maxReadFailures {
		errc <- fmt.Errorf("raet: road stack %q: read: %w", s.core.name, err)
		return true
	}
	time.Sleep(time.Millisecond) // no busy loop on an error that persists
	return false
}

// pass hands a copy of a datagram to its peer's checker; false once the
// stack has stopped.
func (s *Stack) pass(from netip.AddrPort, b []byte, at time.Time) bool {
	d := datagram{from: from, b: append([]byte(nil), b...), at: at}
	i, direct := s.shardFor(from)
	if direct {
		return s.checkedOut(s.core.checkAt(d.from, d.b, d.at))
	}
	s.busy[i].Add(1)
	select {
	case s.shards[i] <- d:
		return true
	case <-s.done:
		return false
	}
}

// checkedOut hands a checked datagram to the loop; false once the stack
// has stopped.
func (s *Stack) checkedOut(v verified) bool {
	select {
	case s.checked <- v:
		return true
	case <-s.done:
		return false
	}
}

// check parses and verifies datagrams from the reader for the loop.
func (s *Stack) check(in <-chan datagram, busy *atomic.Int32) {
	for {
		select {
		case d := <-in:
			if !s.checkedOut(s.core.checkAt(d.from, d.b, d.at)) {
				return
			}
			busy.Add(-1)
		case <-s.done:
			return
		}
	}
}

// do runs f on the loop and waits for it.
func (s *Stack) do(f func(*core)) error {
	ran := make(chan struct{})
	select {
	case s.cmds <- func(c *core) { f(c); close(ran) }:
	case <-s.done:
		return ErrStopped
	}
	<-ran
	return nil
}

// Stats returns a copy of the stack's counters: every dropped or refused
// datagram by reason, and what the transactions did.
func (s *Stack) Stats() map[string]uint64 {
	var out map[string]uint64
	if s.do(func(c *core) { out = maps.Clone(c.stats) }) != nil {
		out = maps.Clone(s.final) // stopped: what it counted to the end
	}
	if n := s.readErrors.Load(); n > 0 && out != nil {
		out["read_error"] = n
	}
	if n := s.writeErrors.Load(); n > 0 && out != nil {
		out["transmit_error"] += n
	}
	return out
}

// Done is closed when the stack's loop has ended.
func (s *Stack) Done() <-chan struct{} { return s.done }

// RemoteState is a snapshot of what a stack knows of a remote.
type RemoteState struct {
	Name, Role              string
	UID, FUID               uint32
	HA                      netip.AddrPort
	Main                    bool
	Joined, Allowed, Alived Tri
	Acceptance              *raet.Acceptance
	SID, RSID               uint32
}

func (r *Remote) state() RemoteState {
	return RemoteState{Name: r.Name, Role: r.Role, UID: r.UID, FUID: r.FUID, HA: r.HA, Main: r.Main,
		Joined: r.Joined, Allowed: r.Allowed, Alived: r.Alived, Acceptance: r.Acceptance, SID: r.SID, RSID: r.RSID}
}

// Join starts a join with the estate at ha. A remote not known at that
// address is added first, vacuously: the join learns its name, uid and keys.
// With cascade an allow follows the join, as the reference's
// join(cascade=True). It returns the remote's uid here.
func (s *Stack) Join(ha netip.AddrPort, cascade bool) (uint32, error) {
	return s.JoinUID(ha, 0, cascade)
}

// JoinUID is Join giving a remote it adds the uid it had before (0: the
// next free one), when no other estate holds it now. An immutable main
// takes a joiner back only under the estate uid it knows, so an estate
// joining again without a restart offers the same one a restart would.
func (s *Stack) JoinUID(ha netip.AddrPort, uid uint32, cascade bool) (uint32, error) {
	var got uint32
	err := s.do(func(c *core) { got = c.joinAt(NormalizeAddr(ha), uid, cascade).UID })
	return got, err
}

// Rejoin joins a remote again vacuously (see core.rejoin). It reports
// ErrUnknownRemote when the stack has no remote of that uid.
func (s *Stack) Rejoin(uid uint32, cascade bool) error {
	var err error
	if doErr := s.do(func(c *core) {
		r, ok := c.remotes[uid]
		if !ok {
			err = ErrUnknownRemote
			return
		}
		c.rejoin(r, cascade)
	}); doErr != nil {
		return doErr
	}
	return err
}

// Remotes returns what the stack knows of each remote, by uid.
func (s *Stack) Remotes() map[uint32]RemoteState {
	out := map[uint32]RemoteState{}
	if s.do(func(c *core) {
		for uid, r := range c.remotes {
			out[uid] = r.state()
		}
	}) != nil {
		return nil
	}
	return out
}

// Events delivers changes in what the stack knows of its remotes: joined,
// allowed, alived, lost, removed, reaped. Up to 4096 wait for a reader; more
// are counted as events_dropped in the stats.
func (s *Stack) Events() <-chan Event { return s.evts }

// Receive delivers the messages remotes sent, in the order they completed,
// each with the name of the estate whose signature it carried.
func (s *Stack) Receive() <-chan Received { return s.recv }

// Delivery reports what became of a message sent with Transmit. Done is
// closed once the outcome is known. Err waits for it: nil when the remote
// said the whole message arrived (done), else why it did not:
// ErrNotAllowed, ErrNacked, ErrTimedOut, ErrUnknownRemote, ErrStopped, or a
// packing error.
type Delivery struct {
	*delivery.Outcome
}

// Transmit sends a message to the remote with the given uid. With timeout
// 0 the stack retries until the remote says done or refuses it (as the
// reference). A message sent while an allow is on its way waits for the
// new session; one in flight when the session changes is asked after in
// its old one, and sent again in the new one only if the remote refused
// it, so that a message reported delivered arrived exactly once.
func (s *Stack) Transmit(m body.Map, uid uint32, timeout time.Duration) *Delivery {
	o, finish := delivery.New()
	d := &Delivery{o}
	if err := s.do(func(c *core) {
		r := c.remotes[uid]
		if r == nil {
			finish(ErrUnknownRemote)
			return
		}
		c.message(r, m, timeout, finish)
	}); err != nil {
		finish(err)
	}
	return d
}

// TransmitNamed is Transmit to the remote of that name, and only when it
// is allowed now: otherwise ErrUnknownRemote or ErrNotAllowed comes back at
// once, and the message is neither sent nor kept for an allow on its way.
// It is one trip to the loop where UID, Remotes and Transmit were three (a
// minion's every return), and the remote cannot change between the look
// and the send.
func (s *Stack) TransmitNamed(m body.Map, name string, timeout time.Duration) (*Delivery, error) {
	o, finish := delivery.New()
	var refused error
	if err := s.do(func(c *core) {
		r := c.byName[name]
		switch {
		case r == nil:
			refused = ErrUnknownRemote
		case r.Allowed != Yes:
			refused = ErrNotAllowed
		default:
			c.message(r, m, timeout, finish)
		}
	}); err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return &Delivery{o}, nil
}

// UID returns the uid of the remote with the given name.
func (s *Stack) UID(name string) (uint32, bool) {
	var uid uint32
	var ok bool
	s.do(func(c *core) {
		if r := c.byName[name]; r != nil {
			uid, ok = r.UID, true
		}
	})
	return uid, ok
}

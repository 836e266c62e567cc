package road

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// Stack is a running road stack. One goroutine, the loop, owns its state
// (the reference's single-threaded service loop made into an event loop);
// another reads the socket, so the loop never waits on a syscall. The
// methods of Stack hand work to the loop and wait for it.
type Stack struct {
	core *core
	rx   chan datagram
	cmds chan func(*core)
	done chan struct{} // closed when the loop has ended
	err  error         // why it ended, once done is closed
}

type datagram struct {
	from netip.AddrPort
	b    []byte
}

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
	return &Stack{
		core: newCore(cfg),
		rx:   make(chan datagram, 1024),
		cmds: make(chan func(*core)),
		done: make(chan struct{}),
	}, nil
}

// Name returns the local estate's name.
func (s *Stack) Name() string { return s.core.name }

// LocalAddr returns the address the stack listens on.
func (s *Stack) LocalAddr() netip.AddrPort { return s.core.conn.LocalAddr() }

// Run serves the stack until ctx ends or its connection fails, then closes
// the connection. It returns nil when ctx ended it.
func (s *Stack) Run(ctx context.Context) error {
	readErr := make(chan error, 1)
	go s.read(readErr)
	c := s.core
	timer := c.clock.NewTimer(time.Hour)
	defer timer.Stop()
	var err error
loop:
	for {
		s.arm(timer)
		select {
		case <-ctx.Done():
			break loop
		case err = <-readErr:
			break loop
		case d := <-s.rx:
			c.receive(d.from, d.b)
		case f := <-s.cmds:
			f(c)
		case <-timer.C():
			c.service()
		}
	}
	c.conn.Close()
	s.err = err
	close(s.done)
	return err
}

// arm sets the loop's timer to the core's next deadline.
func (s *Stack) arm(t clock.Timer) {
	d := time.Hour
	if next := s.core.deadline(); !next.IsZero() {
		d = max(next.Sub(s.core.clock.Now()), 0)
	}
	t.Reset(d)
}

// read copies datagrams off the socket for the loop. A full queue makes it
// wait rather than drop: the socket's own buffer holds the rest.
func (s *Stack) read(errc chan<- error) {
	buf := make([]byte, 64<<10)
	for {
		n, from, err := s.core.conn.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				errc <- fmt.Errorf("raet: road stack %q: read: %w", s.core.name, err)
			}
			return
		}
		d := datagram{from: from, b: append([]byte(nil), buf[:n]...)}
		select {
		case s.rx <- d:
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
		return nil
	}
	return out
}

// Done is closed when the stack's loop has ended.
func (s *Stack) Done() <-chan struct{} { return s.done }

// service runs the transactions whose time has come, and presence
// management when it is on.
func (c *core) service() {
	now := c.clock.Now()
	if c.cfg.Manage {
		c.manage(now)
	}
	for _, r := range c.remotes {
		for _, t := range r.transactions {
			if d := t.deadline(); !d.IsZero() && !d.After(now) {
				t.process(now)
			}
		}
		for tid, until := range r.done {
			if !until.After(now) {
				delete(r.done, tid)
			}
		}
	}
}

// deadline is when service next has work to do; zero for never.
func (c *core) deadline() time.Time {
	var next time.Time
	soonest := func(d time.Time) {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	for _, r := range c.remotes {
		for _, t := range r.transactions {
			soonest(t.deadline())
		}
		if c.cfg.Manage && !r.Reaped {
			soonest(r.presenceAt)
			soonest(r.reapAt)
		}
		for _, until := range r.done {
			soonest(until)
		}
	}
	return next
}

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
	var uid uint32
	err := s.do(func(c *core) {
		ha = NormalizeAddr(ha)
		var r *Remote
		for _, known := range c.remotes {
			if known.HA == ha {
				r = known
				break
			}
		}
		if r == nil {
			r = newRemote(0, ha)
			c.addRemote(r)
			r.Name = fmt.Sprintf("estate_%d", r.UID) // until the join tells us its name
			c.byName[r.Name] = r
		}
		uid = r.UID
		c.join(r, false, cascade)
	})
	return uid, err
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

package lane

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/internal/delivery"
)

// Config makes a lane stack (LaneStack in the reference).
type Config struct {
	Name string // the local yard's name; lane_<session id> when empty, as the reference names it
	Lane string // the lane's name; "lane" when empty
	// Dir is the socket directory; empty picks DefaultDir, else AltDir.
	Dir string
	// Conn is the socket; nil binds one at HA(Dir, Lane, Name) with Mode.
	Conn Conn
	Mode os.FileMode // of the socket file; 0600 when zero
	// PackKind serialises the bodies sent; pages received are read
	// whatever their kind.
	PackKind raet.PackKind
	// RefuseUnknown drops pages from yards the stack does not know, where
	// the reference (accept True) adds them.
	RefuseUnknown bool
	// BufCount sizes the receive buffer at BufCount pages (bufcnt, 100).
	BufCount int
}

// Received is a message a yard sent, with that yard's name.
type Received struct {
	Body body.Map
	From string
}

// Delivery reports what became of a message sent with Transmit. Done is
// closed once the outcome is known; Err waits for it: nil once every page
// was handed to the yard's socket, ErrGone when the yard no longer exists,
// else why it was not sent.
type Delivery struct {
	*delivery.Outcome
	finish func(error) // sets the outcome; the stack calls it once
}

func newDelivery() *Delivery {
	o, finish := delivery.New()
	return &Delivery{Outcome: o, finish: finish}
}

func failed(err error) *Delivery {
	d := newDelivery()
	d.finish(err)
	return d
}

// ErrStopped reports a send to a stack that is not running.
var ErrStopped = errors.New("lane: stack stopped")

// Stack is a lane stack: a yard on a Unix datagram socket that sends
// messages to other yards and receives theirs. Lanes have no transactions
// or timers: a reader goroutine owns what is received (the books being
// gathered), and each remote yard has a writer goroutine, so one yard
// that reads slowly makes only its own senders wait.
type Stack struct {
	cfg  Config
	conn Conn
	name string
	lane string
	dir  string

	mu     sync.Mutex
	yards  map[string]*Yard // by name
	stats  map[string]uint64
	closed bool

	recv    chan Received
	quit    chan struct{} // closed when Run starts to stop
	stopped chan struct{}
	writers sync.WaitGroup
}

// Yard is a remote yard (RemoteYard): where it listens, the session id
// this stack sends it under and the book ids it counts, and the session it
// last sent under. Its queue of messages is guarded by the stack's mutex.
type Yard struct {
	Name string
	HA   string
	SID  string // ours for it, sent as si
	bid  uint32
	rsid string // its, from the last page it sent

	queue []outgoing
	dead  error      // why its writer stopped; nil while it runs
	cond  *sync.Cond // on the stack's mutex: the queue, busy or dead changed
	// busy: a message is being sent to the yard, by its writer or by
	// Transmit itself (sendNow); the other waits, so that messages go in
	// the order they were given.
	busy bool
}

type outgoing struct {
	pages [][]byte
	d     *Delivery
}

// YardQueue is how many messages wait for a yard's writer before Transmit
// waits too.
const YardQueue = 256

// NewStack binds the local yard's socket. Run it to receive and send.
func NewStack(cfg Config) (*Stack, error) {
	if cfg.Lane == "" {
		cfg.Lane = "lane"
	}
	if cfg.Name == "" {
		cfg.Name = "lane_" + NewSessionID()
	}
	if err := CheckLane(cfg.Lane); err != nil {
		return nil, err
	}
	if err := CheckYard(cfg.Name); err != nil {
		return nil, err
	}
	if cfg.PackKind != raet.PackJSON && cfg.PackKind != raet.PackMsgpack {
		return nil, fmt.Errorf("lane: pack kind %d is not json or msgpack", cfg.PackKind)
	}
	if cfg.BufCount <= 0 {
		cfg.BufCount = 100
	}
	s := &Stack{cfg: cfg, name: cfg.Name, lane: cfg.Lane, conn: cfg.Conn,
		yards: map[string]*Yard{}, stats: map[string]uint64{},
		recv: make(chan Received, 64), quit: make(chan struct{}), stopped: make(chan struct{})}
	if s.conn == nil {
		dir, err := SocketDir(cfg.Dir)
		if err != nil {
			return nil, err
		}
		s.dir = dir
		conn, err := ListenUXD(HA(dir, cfg.Lane, cfg.Name), cfg.Mode, raet.UXDMaxPacketSize*cfg.BufCount)
		if err != nil {
			return nil, err
		}
		s.conn = conn
	} else {
		s.dir = filepath.Dir(s.conn.LocalAddr())
	}
	return s, nil
}

// Name is the local yard's name; Lane the lane's; Addr its socket path.
func (s *Stack) Name() string { return s.name }
func (s *Stack) Lane() string { return s.lane }
func (s *Stack) Addr() string { return s.conn.LocalAddr() }

// Receive delivers messages in the order they were completed. Nothing is
// dropped when nobody reads: the reader waits, the socket fills, and the
// senders wait.
func (s *Stack) Receive() <-chan Received { return s.recv }

// Stopped is closed once Run has ended.
func (s *Stack) Stopped() <-chan struct{} { return s.stopped }

// Run receives until ctx ends or the socket fails, then closes the socket
// (removing its file) and ends the writers: what they still held fails
// with ErrStopped.
func (s *Stack) Run(ctx context.Context) error {
	readErr := make(chan error, 1)
	go func() { readErr <- s.read() }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-readErr:
	}
	close(s.quit)
	s.mu.Lock()
	s.closed = true
	for _, y := range s.yards {
		s.stopLocked(y, ErrStopped)
	}
	s.mu.Unlock()
	s.conn.Close()
	s.writers.Wait()
	close(s.stopped)
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	return err
}

func (s *Stack) stat(key string) {
	s.mu.Lock()
	s.stats[key]++
	s.mu.Unlock()
}

// Stats returns the counters: pages and messages in and out, and every
// page dropped, by reason.
func (s *Stack) Stats() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.stats)
}

// Yards returns the remote yards the stack knows, by name.
func (s *Stack) Yards() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.yards))
	for name, y := range s.yards {
		out[name] = y.HA
	}
	return out
}

// AddYard makes a yard on this lane known by name, at its socket path in
// the stack's directory, so pages from it are taken with RefuseUnknown.
func (s *Stack) AddYard(name string) error {
	if err := CheckYard(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrStopped
	}
	s.yardLocked(name, HA(s.dir, s.lane, name))
	return nil
}

// RemoveYard forgets a yard; what was queued for it fails with ErrGone.
func (s *Stack) RemoveYard(name string) {
	s.mu.Lock()
	y := s.yards[name]
	s.mu.Unlock()
	if y != nil {
		s.forget(y, fmt.Errorf("%w: %s removed", ErrGone, name))
	}
}

// yardLocked returns the yard of that name, making it (and its writer)
// when it is new. s.mu is held.
func (s *Stack) yardLocked(name, ha string) *Yard {
	if y := s.yards[name]; y != nil {
		return y
	}
	y := &Yard{Name: name, HA: ha, SID: NewSessionID(), cond: sync.NewCond(&s.mu)}
	s.yards[name] = y
	s.writers.Add(1)
	go s.write(y)
	return y
}

// forget removes a yard if it is still the one known by its name; what
// was queued for it fails with err.
func (s *Stack) forget(y *Yard, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.yards[y.Name] == y {
		delete(s.yards, y.Name)
	}
	s.stopLocked(y, err)
}

// stopLocked stops a yard's writer and fails what waits for it.
func (s *Stack) stopLocked(y *Yard, err error) {
	if y.dead == nil {
		y.dead = err
	}
	for _, o := range y.queue {
		o.d.finish(y.dead)
	}
	y.queue = nil
	y.cond.Broadcast()
}

// Transmit sends a message to the yard of that name on this lane, made
// known if it is not. The body is packed and paged here and, when nothing
// waits for the yard and its receiver has room for a one-page message,
// sent here too (sendNow); otherwise queued for the yard's writer. While
// YardQueue messages wait for that yard, Transmit waits too, so a flood
// goes at the pace of the reader rather than be dropped.
func (s *Stack) Transmit(m body.Map, yard string) *Delivery {
	d, _ := s.transmit(m, yard, true)
	return d
}

// TryTransmit is Transmit that never waits: queued is false, and nothing
// done, when YardQueue messages wait for the yard already. The Delivery
// is known at once when the message could be sent on the spot.
func (s *Stack) TryTransmit(m body.Map, yard string) (d *Delivery, queued bool) {
	return s.transmit(m, yard, false)
}

// transmit is Transmit, which waits for room in the yard's queue when
// wait is set, and otherwise returns (nil, false) rather than wait.
func (s *Stack) transmit(m body.Map, yard string, wait bool) (*Delivery, bool) {
	if err := CheckYard(yard); err != nil {
		return failed(err), true
	}
	bk := raet.BodyJSON
	if s.cfg.PackKind == raet.PackMsgpack {
		bk = raet.BodyMsgpack
	}
	plain, err := body.Encode(bk, m)
	if err != nil {
		s.stat("packing_error")
		return failed(err), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return failed(ErrStopped), true
	}
	y := s.yardLocked(yard, HA(s.dir, s.lane, yard))
	if !wait && len(y.queue) >= YardQueue && y.dead == nil {
		return nil, false
	}
	y.bid++
	if y.bid == 0 { // after 0xffffffff comes 1
		y.bid = 1
	}
	pages, err := PackBook(PageHead{PK: s.cfg.PackKind, SN: s.name, DN: y.Name, SI: y.SID, BI: y.bid}, plain)
	if err != nil {
		s.stats["packing_error"]++
		return failed(err), true
	}
	for len(y.queue) >= YardQueue && y.dead == nil {
		y.cond.Wait()
	}
	if y.dead != nil {
		return failed(y.dead), true
	}
	if d, sent := s.sendNow(y, pages); sent {
		return d, true
	}
	d := newDelivery()
	y.queue = append(y.queue, outgoing{pages: pages, d: d})
	y.cond.Broadcast()
	return d, true
}

// write is a yard's writer: it sends what is queued for the yard, in order,
// each message's pages together. A yard whose socket is gone is forgotten
// (the reference reaps it) and everything queued for it fails with ErrGone;
// a later Transmit to its name starts over, in a new session.
func (s *Stack) write(y *Yard) {
	defer s.writers.Done()
	for {
		s.mu.Lock()
		for (len(y.queue) == 0 || y.busy) && y.dead == nil {
			y.cond.Wait()
		}
		if y.dead != nil {
			s.mu.Unlock()
			return
		}
		batch := y.queue
		y.queue = nil
		y.busy = true
		y.cond.Broadcast() // room for waiting senders
		s.mu.Unlock()
		for i, o := range batch {
			if err := s.send(y, o.pages); err != nil {
				switch {
				case errors.Is(err, ErrGone):
					s.stat("stale_transmit_yard")
				case !errors.Is(err, ErrStopped):
					s.stat("error_transmit_yard")
				}
				// Forgotten before anyone hears of the failure, so a
				// sender that saw ErrGone never finds the yard still known.
				s.forget(y, err)
				for _, rest := range batch[i:] {
					rest.d.finish(err)
				}
				return
			}
			s.stat("message_tx")
			o.d.finish(nil)
		}
		s.mu.Lock()
		y.busy = false
		y.cond.Broadcast() // Transmit may send at once again
		s.mu.Unlock()
	}
}

func (s *Stack) send(y *Yard, pages [][]byte) error {
	for _, p := range pages {
		if err := s.conn.WriteTo(p, y.HA); err != nil {
			if errors.Is(err, ErrClosed) {
				return ErrStopped
			}
			return err
		}
		s.stat("page_tx")
	}
	return nil
}

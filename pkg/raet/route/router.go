// Package route is the router of one host: it joins the host's road stack
// (other estates, over UDP) to its lane (local yards, over Unix datagram
// sockets) by reading the "route" every message carries
// (raet-protocol.md 6.1; salt-raet.md 1.3). RAET itself never reads a
// route; this package is where estate, yard and share names meet.
//
// The rules are the generic part of Salt's master and minion routers: a
// message from the road must name its source estate and is never relayed
// to a third estate; a message from the lane or from this process has its
// source filled in, so that a reply can find its way back; a message for
// another yard is forwarded on the lane, one for another estate goes over
// the road, and the rest go to the handler of their destination share.
//
// A Policy, when the layer above gives one, restricts who may send what:
// for each share, and for the yards and estates the router forwards to,
// the paths (road, lane, this process) and the road estates it takes from.
// Which shares exist, what they do and which estates qualify is the
// business of the layer above.
package route

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// Why a message was dropped. A failed forward is reported with the stack's
// own error wrapped (lane.ErrGone, road.ErrNotAllowed, ...).
var (
	ErrNoSource           = errors.New("route: message from the road names no source estate")
	ErrForeignDestination = errors.New("route: message from the road is for another estate; estates are not relayed")
	ErrNoHandler          = errors.New("route: no handler for the destination share")
	ErrUnknownEstate      = errors.New("route: no remote estate of that name on the road")
	ErrNoRoad             = errors.New("route: the router has no road stack")
	ErrNoLane             = errors.New("route: the router has no lane stack")
	ErrOutboxFull         = errors.New("route: too many messages wait for the yard")
	ErrStopped            = errors.New("route: router stopped")
)

// Where a Message came from.
const (
	ViaRoad  = "road"
	ViaLane  = "lane"
	ViaLocal = "local"
)

// Outbox is how many messages may wait in the router for one yard (unless
// Config.Outbox says otherwise), beyond
// what the lane stack itself queues (lane.YardQueue). The lane makes its
// senders wait for a yard that reads slowly; the router must not, or one
// stuck yard would stop the road and every other yard. Past this bound the
// yard's messages are dropped and counted.
const Outbox = 1024

// Message is a message as the router saw it, handed to a share's handler or
// to OnUndeliverable.
type Message struct {
	Body  body.Map
	Route Route  // as parsed; zero when the route was unreadable
	Via   string // ViaRoad, ViaLane or ViaLocal
	// FromEstate is the estate whose signature the road message carried:
	// the only source a handler can trust, src being what the sender wrote.
	FromEstate string
	// FromUID is that estate's uid on the road stack, for looking up its
	// role (road.Stack.Remotes) without a second search by name.
	FromUID uint32
	// FromYard is the yard that sent a lane message, by the lane's page
	// head.
	FromYard string
}

// Config makes a router. Either stack may be nil: a host with no road
// routes only between its yards, and a process with no lane only between
// the road and its handlers.
type Config struct {
	Road *road.Stack
	Lane *lane.Stack
	// Estate is this host's estate name; the road stack's name when empty.
	Estate string
	// Yard is the router's own yard on the lane; the lane stack's name when
	// empty.
	Yard string
	// RoadTimeout bounds each forward over the road, on the road stack's
	// clock: the router keeps no time of its own. Zero leaves it to the
	// road stack, which retries until the remote has the message, across
	// sessions if need be: nothing is lost to a remote that comes back, but
	// a forward to one that never does is reported only when the road
	// stack stops.
	RoadTimeout time.Duration
	// Policy restricts who may send what; nil takes everything the rules
	// above let through.
	Policy *Policy
	// Outbox bounds the messages waiting in the router for one yard; zero
	// is Outbox. A master's event yards need more: a job to N minions
	// fires two events per minion within seconds, and a salt command
	// starved of CPU on a busy host reads them late.
	Outbox int
	// OnUndeliverable hears of every message dropped or that failed to be
	// forwarded, with why: a *Refusal when the Policy dropped it. It is
	// called on whichever goroutine found out (the router's, Send's
	// caller's, or one watching a delivery), possibly several at once and
	// after Run has returned, so it must be safe for concurrent use and
	// quick.
	OnUndeliverable func(Message, error)
}

// Router routes between one road stack and one lane stack. It does not run
// them: their owner does, and drains the road stack's Events.
type Router struct {
	cfg    Config
	estate string
	yard   string

	mu       sync.Mutex
	handlers map[string]func(Message)
	stats    map[string]uint64
	local    []Message          // sent to a handler by Send, for Run
	outboxes map[string]*outbox // by yard
	stopped  bool
	wake     chan struct{} // local has something
	started  atomic.Bool
	refusals refusalNotes // the Policy's refusals, by reason and source
}

// outbox holds what waits for one yard; a goroutine of its own hands it to
// the lane while it is not empty.
type outbox struct {
	queue []Message
}

// New makes a router. Register handlers, then Run it.
func New(cfg Config) *Router {
	r := &Router{cfg: cfg, estate: cfg.Estate, yard: cfg.Yard,
		handlers: map[string]func(Message){}, stats: map[string]uint64{},
		outboxes: map[string]*outbox{}, wake: make(chan struct{}, 1)}
	if r.cfg.Outbox <= 0 {
		r.cfg.Outbox = Outbox
	}
	if r.estate == "" && cfg.Road != nil {
		r.estate = cfg.Road.Name()
	}
	if r.yard == "" && cfg.Lane != nil {
		r.yard = cfg.Lane.Name()
	}
	return r
}

// Estate and Yard are the router's own names, as it fills them into routes.
func (r *Router) Estate() string { return r.estate }
func (r *Router) Yard() string   { return r.yard }

// Handle makes h the handler of share. The share "" is the default: it gets
// every message whose share has no handler of its own (an empty share
// included), so a layer above can take what it does not know by name.
//
// Handlers run one at a time on the router's goroutine, in the order the
// messages came: one that blocks stops all routing, the road and the lane
// alike. They may call Send; a message a handler sends to a share of this
// router is handled after the handler returns.
func (r *Router) Handle(share string, h func(Message)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h == nil {
		delete(r.handlers, share)
		return
	}
	r.handlers[share] = h
}

// Stats returns the router's counters: what came in (road_received,
// lane_received, local_sent), every decision taken (handled,
// lane_forwarded, road_forwarded) and every drop by its reason
// (invalid_route, road_no_source, road_foreign_destination, no_handler,
// road_unknown_estate, no_road, no_lane, lane_outbox_full,
// lane_forward_failed, road_forward_failed, router_stopped), the Policy's
// refusals by the reasons its rules name.
func (r *Router) Stats() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.stats)
}

func (r *Router) count(key string) {
	r.mu.Lock()
	r.stats[key]++
	r.mu.Unlock()
}

// drop counts a message that goes no further and tells OnUndeliverable.
func (r *Router) drop(key string, m Message, err error) error {
	r.count(key)
	if r.cfg.OnUndeliverable != nil {
		r.cfg.OnUndeliverable(m, err)
	}
	return err
}

// Run routes what the road and the lane deliver, and what Send leaves for
// the handlers, until ctx ends (then it returns nil) or a stack stops
// under it (then it says which). It may be run once.
func (r *Router) Run(ctx context.Context) error {
	if r.started.Swap(true) {
		return errors.New("route: router already run")
	}
	var roadRx <-chan road.Received
	var roadDone <-chan struct{}
	if r.cfg.Road != nil {
		roadRx, roadDone = r.cfg.Road.Receive(), r.cfg.Road.Done()
	}
	var laneRx <-chan lane.Received
	var laneDone <-chan struct{}
	if r.cfg.Lane != nil {
		laneRx, laneDone = r.cfg.Lane.Receive(), r.cfg.Lane.Stopped()
	}
	defer r.stop()
	r.runLocal() // what was sent before Run
	for {
		select {
		case <-ctx.Done():
			return nil
		case rx := <-roadRx:
			r.fromRoad(rx)
		case rx := <-laneRx:
			r.fromLane(rx)
		case <-r.wake:
			r.runLocal()
		case <-roadDone:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("route: %w", road.ErrStopped)
		case <-laneDone:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("route: %w", lane.ErrStopped)
		}
	}
}

// stop refuses further local messages and drops those still waiting.
func (r *Router) stop() {
	r.mu.Lock()
	r.stopped = true
	left := r.local
	r.local = nil
	r.mu.Unlock()
	for _, m := range left {
		r.drop("router_stopped", m, ErrStopped)
	}
}

// runLocal hands to their handlers the messages Send left for them.
func (r *Router) runLocal() {
	for {
		r.mu.Lock()
		batch := r.local
		r.local = nil
		r.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for _, m := range batch {
			r.serve(m) // admitted by leave
		}
	}
}

// fromRoad routes a message another estate sent. Its source estate must be
// named, or a reply could not find it; and it must be for this estate:
// relaying between estates would let any estate that can reach this one
// speak to the others with this one's signature.
func (r *Router) fromRoad(rx road.Received) {
	r.count("road_received")
	m := Message{Body: rx.Body, Via: ViaRoad, FromEstate: rx.From, FromUID: rx.UID}
	rt, err := ParseRoute(rx.Body)
	if err != nil {
		r.drop("invalid_route", m, err)
		return
	}
	m.Route = rt
	switch {
	case rt.Src.Estate == "":
		r.drop("road_no_source", m, fmt.Errorf("%w (sent by %s)", ErrNoSource, rx.From))
	case rt.Dst.Estate != "" && rt.Dst.Estate != r.estate:
		r.drop("road_foreign_destination", m, fmt.Errorf("%w: %s, sent by %s", ErrForeignDestination, rt.Dst.Estate, rx.From))
	case rt.Dst.Yard != "" && rt.Dst.Yard != r.yard:
		if r.admit(m, toYards) == nil {
			r.toYard(m, rt.Dst.Yard)
		}
	default:
		r.handle(m)
	}
}

// fromLane routes a message a local yard sent: its source is filled in with
// this estate and that yard, so a yard need not know either name.
func (r *Router) fromLane(rx lane.Received) {
	r.count("lane_received")
	m := Message{Body: rx.Body, Via: ViaLane, FromYard: rx.From}
	rt, err := ParseRoute(rx.Body)
	if err != nil {
		r.drop("invalid_route", m, err)
		return
	}
	r.outward(m, rt, rx.From)
}

// Send routes a message made in this process, as if it came from the
// router's own yard. It returns an error, besides reporting it, when the
// message was dropped on the spot; a forward that fails later is only
// reported. A message for a share of this router waits for Run, and once
// Run has returned is dropped (ErrStopped). m is not changed: the
// filled-in route goes into a copy.
func (r *Router) Send(m body.Map) error {
	r.count("local_sent")
	msg := Message{Body: m, Via: ViaLocal}
	rt, err := ParseRoute(m)
	if err != nil {
		return r.drop("invalid_route", msg, err)
	}
	return r.outward(msg, rt, r.yard)
}

// outward routes a message from this host, the lane's or the process's,
// whose source yard defaults to yard.
func (r *Router) outward(m Message, rt Route, yard string) error {
	if rt.Src.Estate == "" || rt.Src.Yard == "" {
		if rt.Src.Estate == "" {
			rt.Src.Estate = r.estate
		}
		if rt.Src.Yard == "" {
			rt.Src.Yard = yard
		}
		m.Body = rt.Put(m.Body)
	}
	m.Route = rt
	switch {
	case rt.Dst.Estate != "" && rt.Dst.Estate != r.estate:
		if err := r.admit(m, toEstates); err != nil {
			return err
		}
		return r.toEstate(m, rt.Dst.Estate)
	case rt.Dst.Yard != "" && rt.Dst.Yard != r.yard:
		if err := r.admit(m, toYards); err != nil {
			return err
		}
		return r.toYard(m, rt.Dst.Yard)
	case m.Via == ViaLocal:
		return r.leave(m)
	default:
		return r.handle(m)
	}
}

// leave queues a message Send addressed to a handler, so that every handler
// runs on Run's goroutine, whoever called Send. The Policy is applied at
// once, so that Send returns its refusal.
func (r *Router) leave(m Message) error {
	if err := r.admit(m, toShare); err != nil {
		return err
	}
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return r.drop("router_stopped", m, ErrStopped)
	}
	if r.handlers[m.Route.Dst.Share] == nil && r.handlers[""] == nil {
		r.mu.Unlock()
		return r.drop("no_handler", m, fmt.Errorf("%w %q", ErrNoHandler, m.Route.Dst.Share))
	}
	r.local = append(r.local, m)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

// handle gives a message from the road or the lane to its share's
// handler, if the Policy admits it.
func (r *Router) handle(m Message) error {
	if err := r.admit(m, toShare); err != nil {
		return err
	}
	return r.serve(m)
}

// serve gives a message to its share's handler, or the default one.
func (r *Router) serve(m Message) error {
	r.mu.Lock()
	h := r.handlers[m.Route.Dst.Share]
	if h == nil {
		h = r.handlers[""]
	}
	r.mu.Unlock()
	if h == nil {
		return r.drop("no_handler", m, fmt.Errorf("%w %q", ErrNoHandler, m.Route.Dst.Share))
	}
	r.count("handled")
	h(m)
	return nil
}

// toEstate sends a message over the road. The outcome takes round trips,
// and retries, to learn, so it is watched apart: the router goes on.
func (r *Router) toEstate(m Message, estate string) error {
	if r.cfg.Road == nil {
		return r.drop("no_road", m, fmt.Errorf("%w to reach estate %s", ErrNoRoad, estate))
	}
	select {
	case <-r.cfg.Road.Done():
		return r.drop("road_forward_failed", m, fmt.Errorf("route: to estate %s: %w", estate, road.ErrStopped))
	default:
	}
	uid, ok := r.cfg.Road.UID(estate)
	if !ok {
		return r.drop("road_unknown_estate", m, fmt.Errorf("%w: %s", ErrUnknownEstate, estate))
	}
	d := r.cfg.Road.Transmit(m.Body, uid, r.cfg.RoadTimeout)
	r.count("road_forwarded")
	go func() {
		if err := d.Err(); err != nil {
			r.drop("road_forward_failed", m, fmt.Errorf("route: to estate %s: %w", estate, err))
		}
	}()
	return nil
}

// deliver hands a yard's outbox to the lane, in order, until it is empty,
// then forgets it. All that waits is transmitted before the first outcome
// is awaited, so the lane's writer sends them in one go.
func (r *Router) deliver(yard string, ob *outbox) {
	for {
		r.mu.Lock()
		batch := ob.queue
		ob.queue = nil
		if len(batch) == 0 {
			delete(r.outboxes, yard)
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		ds := make([]*lane.Delivery, len(batch))
		for i, m := range batch {
			ds[i] = r.cfg.Lane.Transmit(m.Body, yard)
		}
		for i, d := range ds {
			if err := d.Err(); err != nil {
				r.drop("lane_forward_failed", batch[i], fmt.Errorf("route: to yard %s: %w", yard, err))
			}
		}
	}
}

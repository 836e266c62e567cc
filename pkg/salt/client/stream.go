package client

import (
	"context"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// BusEvent is one event of the master's bus as it came: any tag, and data
// of any shape (a mapping for every event Salt fires).
type BusEvent struct {
	Tag  string
	Data any
}

// maxStreamBacklog bounds the events one EventStream keeps that its reader
// has not taken yet; more are dropped and counted (Dropped).
const maxStreamBacklog = 100000

// EventStream is every event the master fires from when it was opened,
// in order, whatever its tag: what state.event and the reactor read. The
// client subscribed to the bus when it was made, so a stream opened right
// after New misses nothing fired since.
type EventStream struct {
	c       *LocalClient
	mu      sync.Mutex
	queue   []BusEvent
	dropped uint64
	closed  bool
	notify  chan struct{}
}

// streams are the open EventStreams of a client.
type streams struct {
	mu  sync.Mutex
	set map[*EventStream]struct{}
}

// Stream opens a stream of every event the master fires from now on.
func (c *LocalClient) Stream() *EventStream {
	s := &EventStream{c: c, notify: make(chan struct{}, 1)}
	c.streams.mu.Lock()
	defer c.streams.mu.Unlock()
	if c.streams.set == nil {
		c.streams.set = map[*EventStream]struct{}{}
	}
	c.streams.set[s] = struct{}{}
	return s
}

// tapStreams hands an event to every open stream; called for each message
// on the event yard that has a tag.
func (c *LocalClient) tapStreams(tag string, m body.Map) {
	c.streams.mu.Lock()
	defer c.streams.mu.Unlock()
	if len(c.streams.set) == 0 {
		return
	}
	ev := BusEvent{Tag: tag, Data: protocol.EventData(m)}
	for s := range c.streams.set {
		s.push(ev)
	}
}

func (s *EventStream) push(ev BusEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= maxStreamBacklog {
		s.dropped++
		if s.dropped == 1 {
			s.c.log.Warnf("an event stream's reader is %d events behind; dropping the rest until it catches up", maxStreamBacklog)
		}
		return
	}
	s.queue = append(s.queue, ev)
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Next waits for the next event. The error is ctx's when it ends first,
// ErrClosed when the stream or the client was closed.
func (s *EventStream) Next(ctx context.Context) (BusEvent, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return BusEvent{}, ErrClosed
		}
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue[0] = BusEvent{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return ev, nil
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-ctx.Done():
			return BusEvent{}, ctx.Err()
		case <-s.c.evt.Stopped():
			return BusEvent{}, ErrClosed
		}
	}
}

// Dropped is how many events the stream dropped because its reader fell
// behind by more than its bound.
func (s *EventStream) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Close ends the stream; Next returns ErrClosed.
func (s *EventStream) Close() {
	s.c.streams.mu.Lock()
	delete(s.c.streams.set, s)
	s.c.streams.mu.Unlock()
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

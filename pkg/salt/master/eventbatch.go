package master

import (
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Batched events (protocol.EventBatch). Two events a return, each a lane
// message and a blocking Unix send to the salt command's yard, were a
// twentieth of the master's CPU in a job to 1,000 minions, most of it the
// kernel's work per datagram (the path looked up, a buffer, the reader
// woken) and the yard's writer waiting on a receiver whose queue holds
// ten. While a yard is behind — the lane still writing to it, or what was
// written not yet read (the socket's SIOCOUTQ, any yard's) — what is
// fired for it is gathered and goes as one message once it has read, or
// after readWait; an event fired while everything was read goes alone, at
// once, as before. Waiting for the lane alone, a third of the events
// still went alone (13,147 messages for 43,558 events in 20 jobs to
// 1,000 minions); waiting for the reads too, 3,932.

// subscriber is one subscribed yard.
type subscriber struct {
	batched bool // it asked for batched events

	mu      sync.Mutex
	pending []protocol.FiredEvent // fired, not yet sent
	// flushing: a goroutine is sending what is pending (the firing one,
	// or one waiting for the yard to drain); the others only add to it,
	// so that the yard gets the events in the order they were fired.
	flushing bool
	gone     bool // unsubscribed: nothing more is sent
	// wake tells a flusher waiting for the yards to read that an event
	// came: it looks again at once rather than at its next poll, so an
	// event fired once everything was read is not held (the return of a
	// job to one minion).
	wake chan struct{}
}

// maxBatch bounds the events of one message: 64 returns of test.ping are
// about 20 KB, one page (a page holds 64 KB; a larger batch is a book).
const maxBatch = 64

// maxPendingEvents is how many events may wait for a batched yard, as
// eventOutbox bounds the messages waiting for a yard that is not.
const maxPendingEvents = eventOutbox

// fireBatched adds an event for a yard that takes batches and, unless
// another goroutine is sending to it already, sends what is pending.
func (e *eventer) fireBatched(yard string, sub *subscriber, ev protocol.FiredEvent) {
	sub.mu.Lock()
	if sub.gone {
		sub.mu.Unlock()
		return
	}
	if len(sub.pending) >= maxPendingEvents {
		sub.mu.Unlock()
		if e.stuck != nil {
			e.stuck(yard)
		}
		return
	}
	sub.pending = append(sub.pending, ev)
	if sub.flushing {
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
		return
	}
	sub.flushing = true
	sub.mu.Unlock()
	e.flush(yard, sub, false)
}

// flush sends what is pending for the yard until nothing is. Once the
// yard is behind (its receiver full), the firing goroutine hands over to
// one that waits for it to drain, gathering what is fired meanwhile into
// the next message.
func (e *eventer) flush(yard string, sub *subscriber, mayWait bool) {
	for {
		sub.mu.Lock()
		batch := sub.pending
		sub.pending = nil
		if len(batch) == 0 || sub.gone {
			sub.flushing = false
			sub.mu.Unlock()
			return
		}
		sub.mu.Unlock()
		e.sendEvents(yard, batch)
		if !e.backlogged(yard) && (e.unread == nil || !e.unread()) {
			continue
		}
		if !mayWait {
			go func() {
				e.awaitRead(yard, sub)
				e.flush(yard, sub, true)
			}()
			return
		}
		e.awaitRead(yard, sub)
	}
}

// readPoll and readWait bound how the flusher waits for yards to read
// what the lane wrote to them: the kernel says how much is unread, not
// when it is read.
const (
	readPoll = 200 * time.Microsecond
	readWait = 2 * time.Millisecond
)

// awaitRead waits until the lane has written what it had for the yard,
// then, for at most readWait, until the yards have read it, looking again
// every readPoll and whenever an event is fired.
func (e *eventer) awaitRead(yard string, sub *subscriber) {
	e.drained(yard)
	if e.unread == nil || !e.unread() {
		return
	}
	t := time.NewTimer(readPoll)
	defer t.Stop()
	for waited := time.Duration(0); waited < readWait; {
		select {
		case <-sub.wake:
		case <-t.C:
			waited += readPoll
			t.Reset(readPoll)
		}
		if !e.unread() {
			return
		}
	}
}

// sendEvents sends events to a yard: one alone as an Event, more in
// batches of at most maxBatch.
func (e *eventer) sendEvents(yard string, events []protocol.FiredEvent) {
	if e.count != nil {
		e.count("event_batched_sent", uint64(len(events)))
	}
	if len(events) == 1 {
		if e.count != nil {
			e.count("event_alone", 1)
		}
		e.send(protocol.Event(e.estate, e.yard, yard, events[0].Tag, events[0].Data))
		return
	}
	for len(events) > 0 {
		n := min(len(events), maxBatch)
		if e.count != nil {
			e.count("event_batch", 1)
		}
		e.send(protocol.EventBatch(e.estate, e.yard, yard, events[:n]))
		events = events[n:]
	}
}

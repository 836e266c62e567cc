package master

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Event tags of our own (docs/salt-messages.md, "Events the master fires"),
// defined by the contract.
const (
	TagNewJob          = protocol.TagNewJob
	TagPresencePresent = protocol.TagPresencePresent
	TagPresenceChange  = protocol.TagPresenceChange
)

// DeliveredTag is protocol.DeliveredTag: the minion's road stack
// acknowledged the whole publish.
func DeliveredTag(jid, id string) string { return protocol.DeliveredTag(jid, id) }

// UndeliveredTag is protocol.UndeliveredTag: the publish could not be
// delivered.
func UndeliveredTag(jid, id string) string { return protocol.UndeliveredTag(jid, id) }

// eventer sends every event to every subscribed yard (SaltRaetEventer). It
// is safe for concurrent use: workers and delivery watchers fire events.
type eventer struct {
	estate, yard string
	send         func(body.Map) error // the router's Send

	// backlogged and drained are the lane's (Stack.Backlogged, Drained):
	// a yard that asked for batched events gets what is fired while it is
	// behind in batches (see fireBatched). nil: every event goes alone.
	backlogged func(yard string) bool
	drained    func(yard string)
	// unread says whether a yard has yet to read what the lane wrote to
	// it (any yard: the kernel counts the socket's); nil: not asked.
	unread func() bool
	// stuck hears of a batched yard with maxPendingEvents waiting, as
	// the router's undeliverable hears of a full outbox; it must not fire.
	stuck func(yard string)
	// count adds to the master's counters: event_batched_sent, the events
	// sent to yards that take batches; of those event_alone went alone,
	// the others in event_batch messages. nil: not counted.
	count func(key string, n uint64)

	// react hears every event fired, stamped, after its subscribers (the
	// reactor's queue); nil for none. It must not block.
	react func(tag string, data any)

	mu   sync.Mutex
	subs map[string]*subscriber // by yard name
	// sorted is subs in order of name, made again after a change: every
	// event (four per job) went through a sort of the map's keys.
	// Callers share it, read only; a change makes a new slice.
	sorted []subEntry
}

type subEntry struct {
	yard string
	sub  *subscriber
}

func (e *eventer) subscribe(yard string, batched bool) {
	e.mu.Lock()
	if e.subs[yard] == nil {
		if e.subs == nil {
			e.subs = map[string]*subscriber{}
		}
		e.subs[yard] = &subscriber{batched: batched, wake: make(chan struct{}, 1)}
		e.sorted = nil
	}
	e.mu.Unlock()
}

// unsubscribe drops a yard, and the events still gathered for it; it
// reports whether it was subscribed.
func (e *eventer) unsubscribe(yard string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	sub := e.subs[yard]
	if sub == nil {
		return false
	}
	delete(e.subs, yard)
	e.sorted = nil
	sub.mu.Lock()
	sub.gone, sub.pending = true, nil
	sub.mu.Unlock()
	return true
}

// entries lists the subscribed yards in order (shared: read only).
func (e *eventer) entries() []subEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sorted == nil && len(e.subs) > 0 {
		for _, yard := range slices.Sorted(maps.Keys(e.subs)) {
			e.sorted = append(e.sorted, subEntry{yard, e.subs[yard]})
		}
	}
	return e.sorted
}

// subscribers lists the subscribed yards' names in order.
func (e *eventer) subscribers() []string {
	var names []string
	for _, s := range e.entries() {
		names = append(names, s.yard)
	}
	return names
}

// fire sends the event (protocol.Event) to each subscriber, and to the
// reactor. A mapping without a "_stamp" is stamped as Salt 3006's
// SaltEvent.fire_event stamps every event it fires (the UTC time, last; a
// copy, so that the caller's load is not changed); one a local process
// stamped when it fired it keeps its stamp, as in Salt, where the firing
// process stamps. data must not change afterwards: the lane packs it
// later, on another goroutine.
func (e *eventer) fire(tag string, data any) {
	if m, ok := data.(body.Map); ok && !m.Has("_stamp") {
		data = protocol.StampedEvent(m, time.Now())
	}
	for _, s := range e.entries() {
		if s.sub.batched && e.drained != nil {
			e.fireBatched(s.yard, s.sub, protocol.FiredEvent{Tag: tag, Data: data})
			continue
		}
		e.send(protocol.Event(e.estate, e.yard, s.yard, tag, data))
	}
	if e.react != nil {
		e.react(tag, data)
	}
}

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

	// react hears every event fired, stamped, after its subscribers (the
	// reactor's queue); nil for none. It must not block.
	react func(tag string, data any)

	mu   sync.Mutex
	subs map[string]bool // yard names
	// sorted is subs' names in order, made again after a change: every
	// event (four per job) went through a sort of the map's keys.
	// Callers share it, read only; a change makes a new slice.
	sorted []string
}

func (e *eventer) subscribe(yard string) {
	e.mu.Lock()
	if !e.subs[yard] {
		e.subs[yard] = true
		e.sorted = nil
	}
	e.mu.Unlock()
}

// unsubscribe drops a yard; it reports whether it was subscribed.
func (e *eventer) unsubscribe(yard string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	was := e.subs[yard]
	if was {
		delete(e.subs, yard)
		e.sorted = nil
	}
	return was
}

// subscribers lists the subscribed yards in order (shared: read only).
func (e *eventer) subscribers() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sorted == nil && len(e.subs) > 0 {
		e.sorted = slices.Sorted(maps.Keys(e.subs))
	}
	return e.sorted
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
	for _, yard := range e.subscribers() {
		e.send(protocol.Event(e.estate, e.yard, yard, tag, data))
	}
	if e.react != nil {
		e.react(tag, data)
	}
}

package master

import (
	"maps"
	"slices"
	"sync"

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

	mu   sync.Mutex
	subs map[string]bool // yard names
}

func (e *eventer) subscribe(yard string) {
	e.mu.Lock()
	e.subs[yard] = true
	e.mu.Unlock()
}

// unsubscribe drops a yard; it reports whether it was subscribed.
func (e *eventer) unsubscribe(yard string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	was := e.subs[yard]
	delete(e.subs, yard)
	return was
}

func (e *eventer) subscribers() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Sorted(maps.Keys(e.subs))
}

// fire sends the event (protocol.Event) to each subscriber. data must not
// change afterwards: the lane packs it later, on another goroutine.
func (e *eventer) fire(tag string, data any) {
	for _, yard := range e.subscribers() {
		e.send(protocol.Event(e.estate, e.yard, yard, tag, data))
	}
}

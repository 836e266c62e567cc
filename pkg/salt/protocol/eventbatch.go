package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// Batched events, an extension of ours: a yard that subscribes with
// "batch": true in its event_req takes, besides single events, messages
// that carry several, in the order they were fired:
//
//	{"route": {"src": [<estate>, <from>, null], "dst": [null, <yard>, "event_fire"]},
//	 "events": [{"tag": <tag>, "data": <data>}, ...]}
//
// Each event's tag and data are what Event would carry. A daemon sends
// them only while the yard is behind on what was sent to it already, so a
// job to thousands of minions costs the master a lane message per batch
// rather than two per minion. Salt's daemons ignore the field and send
// single events, which such a yard reads as before; a yard that does not
// ask gets only single events.

// EventSubscriptionBatched is EventSubscription asking for batched events.
func EventSubscriptionBatched(yard string) body.Map {
	return append(EventSubscription(yard), body.Item{Key: "batch", Value: true})
}

// SubscriptionBatched reads whether an event_req asks for batched events.
func SubscriptionBatched(msg body.Map) bool {
	b, _ := msg.Bool("batch")
	return b
}

// FiredEvent is one event of a batch: its tag and data.
type FiredEvent struct {
	Tag  string
	Data any
}

// EventBatch is a message carrying several events for one subscribed
// yard, from the daemon's yard from on estate. The data must not change
// afterwards (see Event).
func EventBatch(estate, from, yard string, events []FiredEvent) body.Map {
	list := make([]any, len(events))
	for i, ev := range events {
		list[i] = body.Map{{Key: "tag", Value: ev.Tag}, {Key: "data", Value: ev.Data}}
	}
	return envelope(route.Addr{Estate: estate, Yard: from},
		route.Addr{Yard: yard, Share: ShareEventFire},
		body.Item{Key: "events", Value: list})
}

// BatchedEvents reads the events of an EventBatch as single events, each a
// mapping with "tag" and "data" as an Event's (no route); ok is false for
// a message that is not a batch. An entry that is not a mapping with a
// string tag is left out.
func BatchedEvents(msg body.Map) (events []body.Map, ok bool) {
	v, has := msg.Get("events")
	if !has {
		return nil, false
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	events = make([]body.Map, 0, len(list))
	for _, x := range list {
		m, isMap := x.(body.Map)
		if p, isPtr := x.(*body.Map); isPtr && p != nil {
			m, isMap = *p, true
		}
		if !isMap {
			continue
		}
		if _, hasTag := EventTag(m); hasTag {
			events = append(events, m)
		}
	}
	return events, true
}

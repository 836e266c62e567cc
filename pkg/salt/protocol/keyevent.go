package protocol

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// TagKey is the tag of the events salt-key fires when it changes a key
// (salt.utils.event.tagify(prefix="key")).
const TagKey = "salt/key"

// Acts of a TagKey event, as salt.key.Key names them.
const (
	KeyActAccept = "accept"
	KeyActReject = "reject"
	KeyActDelete = "delete"
)

// FireEvent is an event a local process fires on a daemon's event bus,
// sent from its yard to the daemon's manor, which hands it to every
// subscriber as Event:
//
//	{"route": {"dst": [null, "manor", "event_fire"], "src": [null, <yard>, null]},
//	 "tag": <tag>, "data": <data>}
func FireEvent(yard, tag string, data any) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareEventFire),
		body.Item{Key: "tag", Value: tag},
		body.Item{Key: "data", Value: data})
}

// KeyEventData is the data of a TagKey event as Salt 3006's Key.accept,
// reject and delete_key fire it: {"result": true, "act": <act>, "id":
// <id>}, stamped at now as fire_event stamps it.
func KeyEventData(act, id string, now time.Time) body.Map {
	return StampedEvent(body.Map{
		{Key: "result", Value: true},
		{Key: "act", Value: act},
		{Key: "id", Value: id},
	}, now)
}

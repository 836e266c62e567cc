package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// EventFireRequest is an event a local process (salt-run-raet's runner
// jobs) fires on the master's bus: sent to the manor's event_fire share,
// the master fans it out to every subscribed yard as Event.
//
//	{"route": {"dst": [null, "manor", "event_fire"], "src": [null, <yard>, null]},
//	 "tag": <tag>, "data": <data>}
func EventFireRequest(yard, tag string, data any) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareEventFire),
		body.Item{Key: "tag", Value: tag},
		body.Item{Key: "data", Value: data})
}

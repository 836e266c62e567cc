package protocol

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// Events: a yard subscribes on a daemon's event_req share and from then on
// gets every event the daemon fires on its event_fire share
// (docs/salt-messages.md, "Events the master fires").

// Event tags of our own, besides Salt's job tags (job.NewJobTag, job.RetTag).
const (
	TagNewJob          = "new_job"
	TagPresencePresent = "salt/presence/present"
	TagPresenceChange  = "salt/presence/change"
)

// DeliveredTag is salt/job/<jid>/delivered/<id>: the minion's road stack
// acknowledged the whole publish.
func DeliveredTag(jid, id string) string { return "salt/job/" + jid + "/delivered/" + id }

// UndeliveredTag is salt/job/<jid>/undelivered/<id>: the publish could not
// be delivered.
func UndeliveredTag(jid, id string) string { return "salt/job/" + jid + "/undelivered/" + id }

// DeliveredData is the data of a DeliveredTag event: {jid, id}.
func DeliveredData(jid, id string) body.Map {
	return body.Map{{Key: "jid", Value: jid}, {Key: "id", Value: id}}
}

// UndeliveredData is the data of an UndeliveredTag event: {jid, id, error}.
func UndeliveredData(jid, id, why string) body.Map {
	return body.Map{{Key: "jid", Value: jid}, {Key: "id", Value: id}, {Key: "error", Value: why}}
}

// EventSubscription is the subscription a yard sends a daemon's manor:
//
//	{"route": {"dst": [null, "manor", "event_req"], "src": [null, <yard>, null]}}
func EventSubscription(yard string) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareEventReq))
}

// Event is one event for one subscribed yard, from the daemon's yard from
// on estate:
//
//	{"route": {"src": [<estate>, <from>, null], "dst": [null, <yard>, "event_fire"]},
//	 "tag": <tag>, "data": <data>}
//
// data must not change afterwards: the lane packs it later, on another
// goroutine.
func Event(estate, from, yard, tag string, data any) body.Map {
	return envelope(route.Addr{Estate: estate, Yard: from},
		route.Addr{Yard: yard, Share: ShareEventFire},
		body.Item{Key: "tag", Value: tag},
		body.Item{Key: "data", Value: data})
}

// EventTag reads an event's tag; ok is false when it has none.
func EventTag(msg body.Map) (string, bool) { return msg.String("tag") }

// EventData reads an event's data as it came, which may be any value.
func EventData(msg body.Map) any { v, _ := msg.Get("data"); return v }

// EventDataMap reads an event's data when it is a mapping, as the data of
// every job event is; nil otherwise.
func EventDataMap(msg body.Map) body.Map { m, _ := msg.Map("data"); return m }

// JobEvent is what a job's tag, salt/job/<jid>/<kind>[/<id>], says.
type JobEvent struct{ JID, Kind, ID string }

// ParseJobTag reads a tag salt/job/<jid>/<kind>[/<id>]; ok is false for a
// tag of another form. The id keeps any further slashes.
func ParseJobTag(tag string) (JobEvent, bool) {
	parts := strings.SplitN(tag, "/", 5)
	if len(parts) < 4 || parts[0] != "salt" || parts[1] != "job" || parts[2] == "" {
		return JobEvent{}, false
	}
	ev := JobEvent{JID: parts[2], Kind: parts[3]}
	if len(parts) == 5 {
		ev.ID = parts[4]
	}
	return ev, true
}

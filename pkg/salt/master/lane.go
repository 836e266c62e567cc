package master

import (
	"errors"

	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Stats tags a stats_req may ask for (SaltRaetStatsEventer), defined by
// the contract; salt/stats/master is ours: the master's own counters.
const (
	TagStatsRoad   = protocol.TagStatsRoad
	TagStatsLane   = protocol.TagStatsLane
	TagStatsMaster = protocol.TagStatsMaster
)

// The handlers here take what the policy lets through from local yards
// only (policy.go): a lane message's source yard is always filled in.

// onEventReq subscribes the asking yard to every event from now on, in
// batches while it is behind if it asks for them (protocol.EventBatch).
func (m *Master) onEventReq(msg route.Message) {
	m.ev.subscribe(msg.Route.Src.Yard, protocol.SubscriptionBatched(msg.Body))
	m.gone.Back(msg.Route.Src.Yard)
	m.stats.Add("event_subscribed")
	m.log.Debugf("Yard %s subscribed to events", msg.Route.Src.Yard)
}

// onEventFire fans an event a local process fired out to the subscribers.
func (m *Master) onEventFire(msg route.Message) {
	tag, ok := protocol.EventTag(msg.Body)
	if !ok || tag == "" {
		m.refuse("bad_event_fire", "Dropped an event from %s: it has no tag", describeSender(msg))
		return
	}
	m.stats.Add("event_fired")
	m.ev.fire(tag, protocol.EventData(msg.Body))
}

// onPresenceReq answers a yard with the estates in the state asked for
// (data.state: available, the default, or present, joined, allowed,
// alived, reaped), by name with their IP address, as
// {"tag": "salt/presence/present", "data": {<state or "present">: {name: ip}}}.
func (m *Master) onPresenceReq(msg route.Message) {
	yard := msg.Route.Src.Yard
	state, key := protocol.PresenceState(msg.Body)
	names, ok := m.presenceOf(state)
	if !ok {
		m.refuse("bad_presence_req", "Dropped a presence request from yard %s: unknown state %q", yard, clip(state))
		return
	}
	m.stats.Add("presence_req")
	m.router.Send(protocol.PresenceReply(m.estate, yard, key, names))
}

// onStatsReq answers a yard with the statistics its tag names.
func (m *Master) onStatsReq(msg route.Message) {
	yard := msg.Route.Src.Yard
	tag := protocol.StatsTag(msg.Body)
	var stats map[string]uint64
	switch tag {
	case TagStatsRoad:
		stats = m.road.Stats()
	case TagStatsLane:
		stats = m.lane.Stats()
	case TagStatsMaster:
		stats = m.Stats()
	default:
		m.refuse("bad_stats_req", "Dropped a stats request from yard %s: unknown tag %q", yard, clip(tag))
		return
	}
	m.router.Send(protocol.StatsReply(m.estate, yard, tag, stats))
}

// eventYardStuck unsubscribes a batched event yard with maxPendingEvents
// waiting for it, as undeliverable does a yard whose outbox is full.
func (m *Master) eventYardStuck(yard string) {
	if m.ev.unsubscribe(yard) {
		m.refuse("event_yard_stuck", "Event yard %s does not read its events (%d waiting); unsubscribed", yard, maxPendingEvents)
	}
}

func describeSender(msg route.Message) string {
	switch msg.Via {
	case route.ViaLane:
		return "yard " + msg.FromYard
	case route.ViaRoad:
		return "estate " + msg.FromEstate
	}
	return msg.Via
}

// undeliverable hears of every message the router dropped or could not
// forward. The policy's refusals are counted and logged once (refused),
// the road's malformed messages by roadDropped. A yard the lane cannot send
// to is gone: the first failure is one line (see yardGone) and drops it
// from the event subscribers, the messages already on their way to it are
// counted (lane_yard_gone_dropped).
func (m *Master) undeliverable(msg route.Message, err error) {
	var rf *route.Refusal
	switch {
	case errors.As(err, &rf):
		m.refused(msg, rf)
	case msg.Via == route.ViaRoad:
		m.roadDropped(msg, err)
	case errors.Is(err, route.ErrStopped), errors.Is(err, lane.ErrStopped):
		// shutting down
	case errors.Is(err, route.ErrOutboxFull) && msg.Route.Dst.Share == protocol.ShareEventFire:
		if m.ev.unsubscribe(msg.Route.Dst.Yard) {
			m.refuse("event_yard_stuck", "Event yard %s does not read its events (%v); unsubscribed", msg.Route.Dst.Yard, err)
		}
	case errors.Is(err, route.ErrInvalidRoute):
		m.refuse("lane_invalid_route", "Dropped a message from %s: %v", describeSender(msg), err)
	case msg.Route.Dst.Yard != "" && !errors.Is(err, route.ErrOutboxFull):
		m.yardGone(msg, err)
	default:
		m.refuse("lane_undeliverable", "Dropped a message (%s): %v", clip(msg.Route.String()), err)
	}
}

// yardGone handles a failed send to a local yard: its socket is gone, or
// going (a yard closing under a burst makes sends fail with "broken pipe"
// before its file goes). A yard whose socket file is gone closed in order,
// as every salt command's event yard does when it exits: that is one line
// at info. Any other failure is one warning.
func (m *Master) yardGone(msg route.Message, err error) {
	yard := msg.Route.Dst.Yard
	subscribed := m.ev.unsubscribe(yard)
	if subscribed {
		m.stats.Add("event_yard_gone")
	}
	if !m.gone.First(yard) {
		m.stats.Add("lane_yard_gone_dropped")
		return
	}
	m.stats.Add("lane_yard_gone")
	logf := m.log.Warnf
	if errors.Is(err, lane.ErrGone) {
		logf = m.log.Infof
	}
	if subscribed {
		logf("Event yard %s is gone (%v); unsubscribed, and what was on its way to it is dropped", yard, err)
		return
	}
	logf("Yard %s is gone (%v); what was on its way to it is dropped", yard, err)
}

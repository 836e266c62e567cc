package master

import (
	"errors"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// handleMinionEvent is RemoteFuncs._minion_event for the minion id (event.send,
// event.fire_master): each event the load holds is fired on the master's
// event bus, stamped as Salt 3006's fire_event stamps it, with the load's
// id replaced by the minion's. Tags of the master's own (jobs, presence,
// stats) are refused: the salt command trusts them. The answer is true
// when every event was fired.
func (m *Master) handleMinionEvent(id string, rs road.RemoteState, req route.Route, load body.Map) {
	load = slices.Clone(load)
	load.Set("id", id)
	load.Delete("tok")
	evs, ok := protocol.MinionEvents(load)
	if !ok {
		m.refuse("bad_load", "Dropped an event from %s: its load has neither events nor a tag and data", id)
		m.replyTo("event", id, rs, req, protocol.CmdMinionEvent, false)
		return
	}
	fired := len(evs) > 0
	for _, ev := range evs {
		if protocol.ReservedEventTag(ev.Tag, id) {
			m.refuse("minion_event_refused", "Refused an event from %s with the tag %q: the master's own tags are not for minions", id, clip(ev.Tag))
			fired = false
			continue
		}
		if ev.Tag == "_salt_error" {
			msg, _ := ev.Data.Get("data")
			m.log.Errorf("Received minion error from [%s]: %v", id, msg)
		}
		m.stats.Add("minion_event")
		m.ev.fire(ev.Tag, protocol.StampedEvent(ev.Data, time.Now()))
	}
	m.replyTo("event", id, rs, req, protocol.CmdMinionEvent, fired)
}

// replyTo sends ret to the track of the request of the minion id, whose
// estate is rs, and watches its delivery; one not delivered is counted as
// <kind>_reply_undelivered. The answer goes to the estate that signed the
// request, whatever its route claims.
func (m *Master) replyTo(kind, id string, rs road.RemoteState, req route.Route, cmd string, ret any) {
	req.Src.Estate = rs.Name
	d := m.road.Transmit(protocol.RemoteReply(m.estate, req, ret), rs.UID, replyTimeout)
	m.watchers.Add(1)
	go func() {
		defer m.watchers.Done()
		if err := d.Err(); err != nil && !errors.Is(err, road.ErrStopped) {
			m.stats.Add(kind + "_reply_undelivered")
			m.log.Warnf("Answer to %s from %s (estate %s) was not delivered: %v", cmd, id, rs.Name, err)
		}
	}()
}

package master

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// readEvents drains the road stack's events: it logs them, keeps the reaped
// estates, and drops the cache of remotes whenever a join may have changed
// a name or role.
func (m *Master) readEvents(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.road.Done():
			return nil
		case e := <-m.road.Events():
			select {
			case m.roadStirred <- struct{}{}:
			default:
			}
			m.stats.Add("road_event_" + string(e.Kind))
			m.onRoadEvent(e)
			switch e.Kind {
			case road.EventJoined, road.EventRemoved:
				m.forgetRemotes()
			}
			m.remotesMu.Lock()
			switch e.Kind {
			case road.EventReaped:
				m.reaped[e.Name] = true
			case road.EventRemoved, road.EventJoined, road.EventAllowed, road.EventAlived:
				delete(m.reaped, e.Name)
			}
			m.remotesMu.Unlock()
			switch e.Kind {
			case road.EventLost, road.EventReaped, road.EventRemoved:
				m.log.Infof("Estate %s %s", e.Name, e.Kind)
			default:
				m.log.Debugf("Estate %s %s", e.Name, e.Kind)
			}
		}
	}
}

// presence fires salt/presence/present every interval, and
// salt/presence/change when the available minions changed since the last,
// listing minion ids as Salt 3006 does. The same tick reviews the joined
// estates' keys (keys.go): one wake and one snapshot of the road for both,
// which an idle master pays every interval.
func (m *Master) presence(ctx context.Context) error {
	var last []string
	return m.every(ctx, m.opts.presenceInterval, func() {
		remotes := m.road.Remotes()
		m.judge.review(remotes)
		present := presentIDsOf(remotes)
		m.ev.fire(TagPresencePresent, protocol.PresentData(present))
		if gained, lost := diff(last, present); len(gained) > 0 || len(lost) > 0 {
			m.log.Infof("Presence: new %s, lost %s", idsForLog(gained), idsForLog(lost))
			m.ev.fire(TagPresenceChange, protocol.ChangeData(gained, lost))
		}
		last = present
	})
}

// presenceOf lists the estates in a state, by name with their IP address:
// available (allowed and alive; also "present"), joined, allowed, alived,
// reaped, joining (ours: known, not joined). ok is false for an unknown
// state.
func (m *Master) presenceOf(state string) (body.Map, bool) {
	var keep func(road.RemoteState) bool
	switch state {
	case "available", "present":
		keep = func(rs road.RemoteState) bool { return rs.Allowed == road.Yes && rs.Alived == road.Yes }
	case "joined":
		keep = func(rs road.RemoteState) bool { return rs.Joined == road.Yes }
	case "allowed":
		keep = func(rs road.RemoteState) bool { return rs.Allowed == road.Yes }
	case "alived":
		keep = func(rs road.RemoteState) bool { return rs.Alived == road.Yes }
	case "reaped", "joining":
		m.remotesMu.Lock()
		reaped := maps.Clone(m.reaped)
		m.remotesMu.Unlock()
		keep = func(rs road.RemoteState) bool { return reaped[rs.Name] }
		if state == "joining" { // ours: known, not joined (a join under way or pended), not reaped
			keep = func(rs road.RemoteState) bool { return rs.Joined != road.Yes && !reaped[rs.Name] }
		}
	default:
		return nil, false
	}
	var sel []road.RemoteState
	for _, rs := range m.road.Remotes() {
		if keep(rs) {
			sel = append(sel, rs)
		}
	}
	sort.Slice(sel, func(i, j int) bool { return sel[i].Name < sel[j].Name })
	out := make(body.Map, 0, len(sel))
	for _, rs := range sel {
		out = append(out, body.Item{Key: rs.Name, Value: rs.HA.Addr().String()})
	}
	return out, true
}

// diff returns what is in now and not in before, and the reverse; both
// sorted, never nil. Through sets: at 10,000 minions a scan of one list
// per id of the other was 10^8 steps each presence interval.
func diff(before, now []string) (gained, lost []string) {
	gained, lost = []string{}, []string{}
	had := make(map[string]bool, len(before))
	for _, b := range before {
		had[b] = true
	}
	has := make(map[string]bool, len(now))
	for _, n := range now {
		has[n] = true
		if !had[n] {
			gained = append(gained, n)
		}
	}
	for _, b := range before {
		if !has[b] {
			lost = append(lost, b)
		}
	}
	slices.Sort(gained)
	slices.Sort(lost)
	return gained, lost
}

// logIDs is how many ids a presence line names; past it the line says
// how many, and the event carries them all: a join storm made one line of
// every id of thousands.
const logIDs = 20

// idsForLog names the ids, or the first logIDs and how many more.
func idsForLog(ids []string) string {
	if len(ids) <= logIDs {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("%v and %d more", ids[:logIDs], len(ids)-logIDs)
}

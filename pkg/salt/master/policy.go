package master

import (
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// policy is who may send what to the master (ARCHITECTURE.md, "Who may
// send what"): minions, by the accepted key of the estate that signed,
// send remote_cmd over the road and nothing else; local yards send the
// rest over the lane; estates never reach a local yard, and local yards
// never reach the road. Each refusal is counted under its reason and
// logged once per reason and sender (refused).
func (m *Master) policy() *route.Policy {
	laneOnly := func(fromLocal string) route.Rule {
		return route.Rule{From: route.FromLane,
			Refused: map[string]string{route.ViaRoad: "road_unknown_share", route.ViaLocal: fromLocal}}
	}
	return &route.Policy{
		Shares: map[string]route.Rule{
			protocol.ShareRemoteCmd: {From: route.FromRoad, Estate: m.knownMinion,
				Refused: map[string]string{route.ViaLane: "unknown_share", route.ViaLocal: "unknown_share"}},
			protocol.ShareLocalCmd: {From: route.FromLane,
				Refused: map[string]string{route.ViaRoad: "road_local_cmd", route.ViaLocal: "local_cmd_not_lane"}},
			protocol.ShareEventReq:    laneOnly("bad_event_req"),
			protocol.ShareEventFire:   laneOnly("bad_event_fire"),
			protocol.SharePresenceReq: laneOnly("bad_presence_req"),
			protocol.ShareStatsReq:    laneOnly("bad_stats_req"),
		},
		Other: route.Rule{Refused: map[string]string{route.ViaRoad: "road_unknown_share",
			route.ViaLane: "unknown_share", route.ViaLocal: "unknown_share"}},
		Yards: route.Rule{From: route.FromLane | route.FromLocal,
			Refused: map[string]string{route.ViaRoad: "road_yard_refused"}},
		Estates: route.Rule{Refused: map[string]string{route.ViaLane: "lane_no_road", route.ViaLocal: "lane_no_road"}},
	}
}

// knownMinion is the policy's check of the estate that signed a
// remote_cmd: the road stack must still know it. Whether its minion's key
// is accepted now (salt-key may have rejected or deleted it since the
// estate joined) is read from pki_dir by the worker (unaccepted), off the
// router's goroutine: that is a few file opens, and routing must not wait
// on the disk.
func (m *Master) knownMinion(msg route.Message) (reason, why string) {
	if _, ok := m.remote(msg.FromUID, msg.FromEstate); !ok {
		return "unknown_estate", estateGone(msg)
	}
	return "", ""
}

// unaccepted is why the minion id may not be served now, "" when its key is
// accepted.
func (m *Master) unaccepted(id string) string {
	if m.keyc.isAccepted(id) {
		return ""
	}
	k, err := m.store.Get(id)
	switch {
	case err == nil && k.Status == raet.Accepted:
		return ""
	case err != nil && !errors.Is(err, pki.ErrNotFound):
		return err.Error()
	case err == nil:
		return fmt.Sprintf("its key is %s", k.Status)
	}
	return "its key is not accepted"
}

// estateGone is why a message from an estate the road stack no longer
// knows is dropped.
func estateGone(msg route.Message) string {
	return fmt.Sprintf("(uid %d), which the road stack no longer knows", msg.FromUID)
}

// refused counts a refusal of the policy under its reason and logs the
// first of each reason from each sender at warning.
func (m *Master) refused(msg route.Message, rf *route.Refusal) {
	m.stats.Add(rf.Reason)
	if rf.First {
		m.log.Warn(refusalLine(msg, rf))
	}
}

// refusalLine says what was refused, in the words the master used before
// the policy was a table.
func refusalLine(msg route.Message, rf *route.Refusal) string {
	from, share := describeSender(msg), clip(msg.Route.Dst.Share)
	switch rf.Reason {
	case "unknown_estate", "unaccepted_estate":
		return fmt.Sprintf("Dropped a %s from estate %s %s", share, msg.FromEstate, rf.Why)
	case "road_local_cmd":
		return "Refused a local_cmd over the road from " + msg.FromEstate
	case "local_cmd_not_lane":
		return fmt.Sprintf("Refused a local_cmd that did not come over the lane (%s)", msg.Via)
	case "road_unknown_share":
		return fmt.Sprintf("Dropped a message from %s for share %q", msg.FromEstate, share)
	case "unknown_share":
		return fmt.Sprintf("Dropped a message from %s for share %q", from, share)
	case "road_yard_refused":
		return fmt.Sprintf("Dropped a message from %s for yard %q: estates may not address local yards",
			msg.FromEstate, clip(msg.Route.Dst.Yard))
	case "lane_no_road":
		return fmt.Sprintf("Dropped a message from %s for estate %q: local yards do not send over the master's road",
			from, clip(msg.Route.Dst.Estate))
	case "bad_event_req":
		return "Refused an event subscription from " + from
	case "bad_event_fire":
		return "Refused an event from " + from
	case "bad_presence_req":
		return "Refused a presence request from " + from
	case "bad_stats_req":
		return "Refused a stats request from " + from
	}
	return fmt.Sprintf("Dropped a message from %s for share %q: %v", from, share, rf)
}

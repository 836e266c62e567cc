package minion

import (
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// policy is who may send what to the minion (ARCHITECTURE.md, "Who may
// send what"): a publish (fun) comes over the road from one of this
// minion's masters only, never from a local yard as if from the master;
// remote_cmd comes from local tools, for the master, never from the road.
// The rest passes as before the policy was a table: the master's replies
// reach the local yards that asked, and what the minion has no use for
// goes to onOther. Each refusal is counted under its reason and logged
// once per reason and sender (refused).
func (m *Minion) policy() *route.Policy {
	return &route.Policy{
		Shares: map[string]route.Rule{
			protocol.ShareFun: {From: route.FromRoad, Estate: m.masterOnly("publish_not_from_master"),
				Refused: map[string]string{route.ViaLane: "publish_not_from_master", route.ViaLocal: "publish_not_from_master"}},
			protocol.ShareRemoteCmd: {From: route.FromLane | route.FromLocal,
				Refused: map[string]string{route.ViaRoad: "road_remote_cmd"}},
		},
		// A minion's road holds only the masters it joined, unless raet_main
		// lets other estates join it: they reach nothing here either.
		Other:   route.Rule{From: route.FromAnywhere, Estate: m.masterOnly("road_not_from_master")},
		Yards:   route.Rule{From: route.FromAnywhere, Estate: m.masterOnly("road_yard_not_from_master")},
		Estates: route.Rule{From: route.FromLane | route.FromLocal},
	}
}

// handlers are the minion's handlers by share: one for each share of its
// policy, and the default one.
func (m *Minion) handlers() map[string]func(route.Message) {
	return map[string]func(route.Message){
		protocol.ShareFun:       m.onPublish,
		protocol.ShareRemoteCmd: m.onRemoteCmd,
		"":                      m.onOther,
	}
}

// masterOnly is the policy's check of the estate that signed a road
// message: it must be one of this minion's masters, else the message is
// refused as reason.
func (m *Minion) masterOnly(reason string) func(route.Message) (string, string) {
	return func(msg route.Message) (string, string) {
		if m.masters.isMaster(msg.FromUID) {
			return "", ""
		}
		return reason, "not one of this minion's masters"
	}
}

// refused counts a refusal of the policy under its reason and logs the
// first of each reason from each sender at warning.
func (m *Minion) refused(msg route.Message, rf *route.Refusal) {
	m.stats.Add(rf.Reason)
	if !rf.First {
		return
	}
	switch rf.Reason {
	case "publish_not_from_master":
		m.log.Warnf("Refusing a publish from %s %s%s: not one of this minion's masters", msg.Via, msg.FromEstate, msg.FromYard)
	case "road_remote_cmd":
		m.log.Warnf("Dropping a remote_cmd message from estate %s: this is a minion", msg.FromEstate)
	default:
		m.log.Warnf("Dropping a message %s from %s %s%s: %v", msg.Route, msg.Via, msg.FromEstate, msg.FromYard, rf)
	}
}

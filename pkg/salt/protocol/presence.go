package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// Presence: a yard asks the master which estates are in a state, on its
// presence_req share, and is answered with a salt/presence/present event;
// the master also fires presence events every presence interval.

// PresenceRequest asks for the estates in state ("" leaves data out: the
// master answers for "available"):
//
//	{"route": {"dst": [null, "manor", "presence_req"], "src": [null, <yard>, null]},
//	 "data": {"state": <state>}}
func PresenceRequest(yard, state string) body.Map {
	var items []body.Item
	if state != "" {
		items = append(items, body.Item{Key: "data", Value: body.Map{{Key: "state", Value: state}}})
	}
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(SharePresenceReq), items...)
}

// PresenceState reads the state a presence request asks for (data.state,
// "available" when absent), and the key its answer lists the estates
// under: "present" for available and present, the state otherwise.
func PresenceState(msg body.Map) (state, key string) {
	state = "available"
	if data, ok := msg.Map("data"); ok {
		if s, ok := data.String("state"); ok && s != "" {
			state = s
		}
	}
	key = state
	if state == "available" || state == "present" {
		key = "present"
	}
	return state, key
}

// PresenceReply answers a presence request from yard with the estates
// under key, by name with their address, as a salt/presence/present event.
func PresenceReply(estate, yard, key string, estates body.Map) body.Map {
	return Event(estate, YardManor, yard, TagPresencePresent, body.Map{{Key: key, Value: estates}})
}

// PresentData is the data of the periodic salt/presence/present event.
func PresentData(present []string) body.Map {
	return body.Map{{Key: "present", Value: present}}
}

// ChangeData is the data of salt/presence/change: the estates gained and
// lost since the last presence event.
func ChangeData(gained, lost []string) body.Map {
	return body.Map{{Key: "new", Value: gained}, {Key: "lost", Value: lost}}
}

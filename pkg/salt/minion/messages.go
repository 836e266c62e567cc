package minion

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// The shares and yards of docs/salt-messages.md the minion uses.
const (
	ShareFun       = "fun"        // a master's publish
	ShareRemoteCmd = "remote_cmd" // a request for the master
	ShareJidRet    = "jid_ret"    // the source share of a return
	YardJobber     = "jobber"     // the source yard of a return
	YardManor      = "manor"      // the minion's own yard on its lane
)

// routeMap writes a route as the contract has it: src and dst, each
// [estate, yard, share] with null for the default.
func routeMap(src, dst route.Addr) body.Map {
	return body.Map{
		{Key: "src", Value: addrList(src)},
		{Key: "dst", Value: addrList(dst)},
	}
}

func addrList(a route.Addr) []any {
	out := make([]any, 3)
	for i, s := range [3]string{a.Estate, a.Yard, a.Share} {
		if s != "" {
			out[i] = s
		}
	}
	return out
}

// ReturnMessage is the road message carrying a job's return load to the
// master that published the job:
//
//	{"route": {"src": [<minion estate>, "jobber", "jid_ret"],
//	           "dst": [<master estate>, null, "remote_cmd"]},
//	 "load": <load>}
func ReturnMessage(minionEstate, masterEstate string, load body.Map) body.Map {
	return body.Map{
		{Key: "route", Value: routeMap(
			route.Addr{Estate: minionEstate, Yard: YardJobber, Share: ShareJidRet},
			route.Addr{Estate: masterEstate, Share: ShareRemoteCmd})},
		{Key: "load", Value: load},
	}
}

// PillarRequest is the message that gives a master the minion's grains
// after each allow:
//
//	{"route": {"src": [<minion estate>, null, null],
//	           "dst": [<master estate>, null, "remote_cmd"]},
//	 "load": {"id": <id>, "grains": <grains>, "saltenv": null, "ver": "2", "cmd": "_pillar"}}
func PillarRequest(minionEstate, masterEstate, id string, grains map[string]any) body.Map {
	if grains == nil {
		grains = map[string]any{}
	}
	return body.Map{
		{Key: "route", Value: routeMap(
			route.Addr{Estate: minionEstate},
			route.Addr{Estate: masterEstate, Share: ShareRemoteCmd})},
		{Key: "load", Value: body.Map{
			{Key: "id", Value: id},
			{Key: "grains", Value: grains},
			{Key: "saltenv", Value: nil},
			{Key: "ver", Value: "2"},
			{Key: "cmd", Value: "_pillar"},
		}},
	}
}

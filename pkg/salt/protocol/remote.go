package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// What a minion sends its master's remote_cmd share, and the master's
// answer (docs/salt-messages.md, "Road: minion → master"). The return load
// itself is job.ReturnLoad's, read by job.ParseReturn: the job cache keeps
// it as it came.

// ReturnMessage is the road message carrying a job's return load to the
// master that published the job:
//
//	{"route": {"src": [<minion estate>, "jobber", "jid_ret"],
//	           "dst": [<master estate>, null, "remote_cmd"]},
//	 "load": <load>}
func ReturnMessage(minionEstate, masterEstate string, load body.Map) body.Map {
	return envelope(route.Addr{Estate: minionEstate, Yard: YardJobber, Share: ShareJidRet},
		route.Addr{Estate: masterEstate, Share: ShareRemoteCmd},
		body.Item{Key: "load", Value: load})
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
	return envelope(route.Addr{Estate: minionEstate},
		route.Addr{Estate: masterEstate, Share: ShareRemoteCmd},
		body.Item{Key: "load", Value: body.Map{
			{Key: "id", Value: id},
			{Key: "grains", Value: grains},
			{Key: "saltenv", Value: nil},
			{Key: "ver", Value: "2"},
			{Key: "cmd", Value: CmdPillar},
		}})
}

// PillarReply is the master's answer to a pillar request, an empty pillar
// (there is no pillar data yet):
//
//	{"route": {"src": [<master estate>, null, null], "dst": [<minion estate>, null, null]},
//	 "return": {}}
func PillarReply(masterEstate, minionEstate string) body.Map {
	return envelope(route.Addr{Estate: masterEstate}, route.Addr{Estate: minionEstate},
		body.Item{Key: "return", Value: body.Map{}})
}

// PillarGrains reads the grains of a pillar request's load: an empty
// mapping when there are none, ok false when they are not a mapping.
func PillarGrains(load body.Map) (body.Map, bool) {
	grains, ok := load.Map("grains")
	if !ok {
		if v, has := load.Get("grains"); has && v != nil {
			return nil, false
		}
		grains = body.Map{}
	}
	return grains, true
}

package protocol

import (
	"maps"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// Stats: a yard asks the master's stats_req share for the statistics a tag
// names (SaltRaetStatsEventer) and is answered with an event of that tag.

// Stats tags a stats request may ask for; salt/stats/master is ours: the
// master's own counters.
const (
	TagStatsRoad   = "salt/stats/road"
	TagStatsLane   = "salt/stats/lane"
	TagStatsMaster = "salt/stats/master"
)

// StatsRequest asks for the statistics tag names:
//
//	{"route": {"dst": [null, "manor", "stats_req"], "src": [null, <yard>, null]}, "tag": <tag>}
func StatsRequest(yard, tag string) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareStatsReq), body.Item{Key: "tag", Value: tag})
}

// StatsTag reads the tag a stats request asks for ("" for none).
func StatsTag(msg body.Map) string { tag, _ := msg.String("tag"); return tag }

// StatsReply answers a stats request from yard with an event of its tag
// whose data are the counters, by name in order.
func StatsReply(estate, yard, tag string, stats map[string]uint64) body.Map {
	keys := slices.Sorted(maps.Keys(stats))
	data := body.Map{}
	for _, k := range keys {
		data = append(data, body.Item{Key: k, Value: stats[k]})
	}
	return Event(estate, YardManor, yard, tag, data)
}

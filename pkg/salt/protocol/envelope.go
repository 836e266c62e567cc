package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// A route is written {"src": [...], "dst": [...]} by the daemons and
// {"dst": [...], "src": [...]} by the salt command and the master's publish,
// as the Python dict literals of Salt 2018.3 have them. msgpack keeps the
// order, and the golden tests compare bytes, so each message keeps its own.

// envelope is a message whose route is written src first, then items.
func envelope(src, dst route.Addr, items ...body.Item) body.Map {
	return withRoute(body.Map{
		{Key: "src", Value: src.Value()},
		{Key: "dst", Value: dst.Value()},
	}, items)
}

// envelopeDstFirst is a message whose route is written dst first, then items.
func envelopeDstFirst(src, dst route.Addr, items ...body.Item) body.Map {
	return withRoute(body.Map{
		{Key: "dst", Value: dst.Value()},
		{Key: "src", Value: src.Value()},
	}, items)
}

func withRoute(rt body.Map, items []body.Item) body.Map {
	m := make(body.Map, 0, 1+len(items))
	m = append(m, body.Item{Key: "route", Value: rt})
	return append(m, items...)
}

// manor is a daemon's own yard on its host, where local requests go.
func manor(share string) route.Addr { return route.Addr{Yard: YardManor, Share: share} }

// Load reads a request's "load" mapping and its "cmd" ("" when it has
// none or it is not a string).
func Load(msg body.Map) (load body.Map, cmd string, ok bool) {
	load, ok = msg.Map("load")
	if !ok {
		return nil, "", false
	}
	cmd, _ = load.String("cmd")
	return load, cmd, true
}

// Return reads a reply's "return" mapping.
func Return(msg body.Map) (body.Map, bool) { return msg.Map("return") }

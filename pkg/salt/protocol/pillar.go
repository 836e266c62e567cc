package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// PillarLoad is the load of a minion's _pillar request sent on a track
// (Request), as Salt's RemotePillar.compile_pillar sends it; an empty
// environment goes as null, a nil override as {}:
//
//	{"id": <id>, "grains": <grains>, "saltenv": <env>, "pillarenv": <env>,
//	 "pillar_override": <override>, "ver": "2", "cmd": "_pillar"}
func PillarLoad(id string, grains map[string]any, saltenv, pillarenv string, override map[string]any) body.Map {
	if grains == nil {
		grains = map[string]any{}
	}
	if override == nil {
		override = map[string]any{}
	}
	return body.Map{
		{Key: "id", Value: id},
		{Key: "grains", Value: grains},
		{Key: "saltenv", Value: orNull(saltenv)},
		{Key: "pillarenv", Value: orNull(pillarenv)},
		{Key: "pillar_override", Value: override},
		{Key: "ver", Value: "2"},
		{Key: "cmd", Value: CmdPillar},
	}
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PlainMap is m with every nested mapping a map[string]any (and every
// list's), the shape pillars and grains take once read off the wire: what
// the pillar compiler, its templates, the matchers and the modules read.
func PlainMap(m body.Map) map[string]any { return py.Plain(m).(map[string]any) }

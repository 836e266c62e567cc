package runner

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// targetMinions is CkMinions.check_minions(tgt, tgt_type) on the master,
// greedy: the accepted keys the target matches, grain and pillar words
// matched against the data cache (a minion with nothing cached matches
// them). A target that is no string nor list, or an empty one, matches
// nothing, as check_minions logs and returns no minions for it.
func (e *Env) targetMinions(tgt any, tgtType string) ([]string, error) {
	switch t := tgt.(type) {
	case string:
		if t == "" {
			return nil, nil
		}
	case []any:
	default:
		return nil, nil
	}
	if tgtType == "" {
		tgtType = "glob"
	}
	ids, err := e.accepted()
	if err != nil {
		return nil, err
	}
	needData := target.NeedsGrains(tgtType, tgt) || target.NeedsPillar(tgtType, tgt)
	var grains, pillars map[string]body.Map
	if needData {
		if grains, pillars, err = e.cachedData(nil); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, id := range ids {
		mt := target.Matcher{ID: id, Greedy: true, HasPillar: true}
		if g, ok := grains[id]; ok {
			mt.Grains = protocol.PlainMap(g)
		}
		if p, ok := pillars[id]; ok {
			mt.Pillar = protocol.PlainMap(p)
		}
		ok, err := mt.Match(tgtType, tgt)
		if err != nil {
			return nil, fmt.Errorf("invalid target %v (%s): %w", tgt, tgtType, err)
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

package runner

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// clearCache is MasterPillarUtil.clear_cached_minion_data for the
// targeted minions: data.p goes when both grains and pillar are cleared
// (or the other half is empty), or is written back with the other half;
// mine.p goes with clear_mine. False without a target, true otherwise,
// also when nothing matched. A file that cannot be removed or written is
// an error naming it.
func (e *Env) clearCache(tgt any, tgtType string, clearPillar, clearGrains, clearMine bool) (any, error) {
	if tgt == nil {
		return false, nil
	}
	ids, err := e.targetMinions(tgt, tgtType)
	if err != nil {
		return nil, err
	}
	grains, pillars := map[string]body.Map{}, map[string]body.Map{}
	if clearPillar != clearGrains {
		if grains, pillars, err = e.cachedData(ids); err != nil {
			return nil, err
		}
	}
	cached, err := e.cachedMinions()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !slices.Contains(cached, id) {
			continue // no bank for this minion: nothing to do
		}
		g, p := grains[id], pillars[id]
		switch {
		case (clearPillar && clearGrains) || (clearPillar && len(g) == 0) || (clearGrains && len(p) == 0):
			err = e.flushBank(id, dataFile)
		case clearPillar:
			err = e.writeBank(id, dataFile, body.Map{{Key: "grains", Value: g}})
		case clearGrains:
			err = e.writeBank(id, dataFile, body.Map{{Key: "pillar", Value: p}})
		}
		if err == nil && clearMine {
			err = e.flushBank(id, mineFile)
		}
		if err != nil {
			// Salt returns True on an OSError; the file that could not be
			// cleared is worth saying
			return nil, err
		}
	}
	return true, nil
}

func sortedIDs(ids []string) []string {
	slices.Sort(ids)
	return ids
}

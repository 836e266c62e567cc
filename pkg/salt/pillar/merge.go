package pillar

import "github.com/saltraet/saltraet/pkg/salt/internal/saltdata"

// Merging pillar as salt.utils.dictupdate.merge does, on map[string]any.

// merge is dictupdate.merge(a, b, strategy, renderer, merge_lists): a is
// copied, b's values are put in it. "smart" is "recurse" (aggregate only
// for the yamlex renderer, which is not here); "none" merges like recurse
// (it only limits which top files are read); an unknown strategy falls
// back to recurse, as Salt's does with a warning.
func (r *run) merge(a, b map[string]any) map[string]any {
	mergeLists := r.c.o.MergeLists
	switch r.c.o.SourceMergingStrategy {
	case "overwrite":
		return mergeOverwrite(a, b, mergeLists)
	case "none":
		mergeLists = false // merge_recurse(obj_a, obj_b): Salt drops it
	case "smart", "recurse":
	default:
		r.log.Warnf("Unknown merging strategy '%s', fallback to recurse", r.c.o.SourceMergingStrategy)
	}
	return update(deepCopy(a).(map[string]any), b, mergeLists)
}

// mergeOverwrite is dictupdate.merge_overwrite: b's top-level values
// replace a's whole, then a recursive merge (which changes nothing more).
func mergeOverwrite(a, b map[string]any, mergeLists bool) map[string]any {
	for k, v := range b {
		if _, ok := a[k]; ok {
			a[k] = v
		}
	}
	return update(deepCopy(a).(map[string]any), b, mergeLists)
}

// update is dictupdate.update (saltdata.Update).
func update(dest, upd map[string]any, mergeLists bool) map[string]any {
	return saltdata.Update(dest, upd, mergeLists)
}

// deepCopy is copy.deepcopy of mappings and lists.
func deepCopy(v any) any { return saltdata.DeepCopy(v) }

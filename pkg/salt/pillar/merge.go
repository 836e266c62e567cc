package pillar

import (
	"reflect"
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/render"
)

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

// update is dictupdate.update(dest, upd, merge_lists): mappings merge key
// by key (only when dest and upd share a key at this level, otherwise
// upd's values are simply set), lists are replaced or, with merge_lists,
// extended by the items they lack; anything else is replaced.
func update(dest, upd map[string]any, mergeLists bool) map[string]any {
	shared := false
	for k := range upd {
		if _, ok := dest[k]; ok {
			shared = true
			break
		}
	}
	for k, v := range upd {
		if !shared {
			dest[k] = v
			continue
		}
		switch old := dest[k].(type) {
		case map[string]any:
			if nv, ok := v.(map[string]any); ok {
				dest[k] = update(old, nv, mergeLists)
				continue
			}
		case []any:
			if nv, ok := v.([]any); ok && mergeLists {
				merged := deepCopy(old).([]any)
				for _, x := range nv {
					if !slices.ContainsFunc(merged, func(y any) bool { return reflect.DeepEqual(x, y) }) {
						merged = append(merged, x)
					}
				}
				dest[k] = merged
				continue
			}
		}
		dest[k] = v
	}
	return dest
}

// deepCopy is copy.deepcopy of mappings and lists (render.Plain copies
// both).
func deepCopy(v any) any { return render.Plain(v) }

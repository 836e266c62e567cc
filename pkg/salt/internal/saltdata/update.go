package saltdata

import (
	"reflect"
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Update is salt.utils.dictupdate.update(dest, upd, merge_lists): mappings
// merge key by key (only when dest and upd share a key at this level,
// otherwise upd's values are simply set), lists are replaced or, with
// mergeLists, extended by the items they lack; anything else is replaced.
// dest is changed and returned.
func Update(dest, upd map[string]any, mergeLists bool) map[string]any {
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
				dest[k] = Update(old, nv, mergeLists)
				continue
			}
		case []any:
			if nv, ok := v.([]any); ok && mergeLists {
				merged := DeepCopy(old).([]any)
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

// DeepCopy is copy.deepcopy of mappings and lists, as plain data
// (py.Plain copies both).
func DeepCopy(v any) any { return py.Plain(v) }

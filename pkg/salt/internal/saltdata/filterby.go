package saltdata

import (
	"fmt"
	"maps"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// FilterByArgs are the arguments of salt.utils.data.filter_by as
// grains.filter_by passes them.
type FilterByArgs struct {
	LookupDict any    // a mapping; a body.Map keeps the order its keys are tried in
	Lookup     string // the grain (a nested path, ':'-separated)
	Traverse   map[string]any
	Merge      any
	Default    string
	Base       any
}

// FilterBy is salt.utils.data.filter_by: the value of the first key of the
// lookup dict that fnmatches the grain's value (each of its items for a
// list), else the default key's; merged over base and under merge. The
// keys are tried in written order for a dict written in a template (a
// body.Map), sorted for any other mapping.
func FilterBy(a FilterByArgs) (any, error) {
	keys, lookup, ok := orderedDict(a.LookupDict)
	if !ok {
		return nil, fmt.Errorf("filter_by lookup_dict must be a dictionary, got %s", py.TypeName(a.LookupDict))
	}
	val := target.Traverse(a.Traverse, a.Lookup, target.DefaultDelimiter, []any{})
	vals, isList := val.([]any)
	if !isList {
		vals = []any{val}
	}
	var ret any
	found := false
	for _, each := range vals {
		for _, k := range keys {
			if py.Fnmatch(py.Str(each), k) {
				ret, found = lookup[k], true
				break
			}
		}
		if found {
			break
		}
	}
	if !found || ret == nil {
		ret = lookup[a.Default]
	}
	if base := a.Base; py.Truthy(base) {
		if bv, ok := lookup[py.Str(base)]; ok {
			switch {
			case ret == nil:
				ret = bv
			case isMap(bv):
				rm, ok := ret.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("filter_by default and look-up values must both be dictionaries.")
				}
				ret = Update(DeepCopy(bv).(map[string]any), rm, false)
			}
		}
	}
	if merge := a.Merge; py.Truthy(merge) { // Salt: `if merge:`; pillar.get's "" is common
		mm, ok := py.Plain(merge).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("filter_by merge argument must be a dictionary.")
		}
		if ret == nil {
			ret = mm
		} else if rm, ok := ret.(map[string]any); ok {
			ret = Update(DeepCopy(rm).(map[string]any), DeepCopy(mm).(map[string]any), false)
		}
	}
	return ret, nil
}

// orderedDict is a lookup dict's keys in the order Python iterates them
// (written order for a body.Map, sorted for any other mapping) and its
// values as plain data.
func orderedDict(v any) ([]string, map[string]any, bool) {
	switch x := v.(type) {
	case body.Map:
		return x.Keys(), py.Plain(x).(map[string]any), true
	case map[string]any:
		return slices.Sorted(maps.Keys(x)), x, true
	}
	return nil, nil, false
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

package pillar

import (
	"fmt"
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/saltdata"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// The execution functions a pillar template may call on the master:
// grains.get and grains.filter_by with the minion's grains, and pillar.get
// with the (empty) pillar the master renders with.

// param is one parameter of a function: its name and default.
type param struct {
	name string
	def  any
}

// bind is Python's binding of args and kwargs to params.
func bind(fun string, params []param, args []any, kwargs map[string]any) (map[string]any, error) {
	if len(args) > len(params) {
		return nil, fmt.Errorf("%s() takes at most %d positional arguments (%d given)", fun, len(params), len(args))
	}
	out := make(map[string]any, len(params))
	for i, p := range params {
		if i < len(args) {
			out[p.name] = args[i]
		} else {
			out[p.name] = p.def
		}
	}
	for k, v := range kwargs {
		i := slices.IndexFunc(params, func(p param) bool { return p.name == k })
		if i < 0 {
			return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", fun, k)
		}
		if i < len(args) {
			return nil, fmt.Errorf("%s() got multiple values for argument '%s'", fun, k)
		}
		out[k] = v
	}
	for _, p := range params {
		if out[p.name] == required {
			return nil, fmt.Errorf("%s() missing required argument: '%s'", fun, p.name)
		}
	}
	return out, nil
}

type requiredT struct{}

// required marks a parameter without a default.
var required = requiredT{}

// call is the renderer's Caller.
func (r *run) call(fun string, args []any, kwargs map[string]any) (any, error) {
	switch fun {
	case "grains.get":
		a, err := bind(fun, []param{{"key", required}, {"default", ""}, {"delimiter", ":"}, {"ordered", true}}, args, kwargs)
		if err != nil {
			return nil, err
		}
		return target.Traverse(r.grains, py.Str(a["key"]), py.Str(a["delimiter"]), a["default"]), nil
	case "pillar.get":
		a, err := bind(fun, []param{{"key", required}, {"default", ""}, {"merge", false}, {"merge_nested_lists", nil},
			{"delimiter", ":"}, {"pillarenv", nil}, {"saltenv", nil}}, args, kwargs)
		if err != nil {
			return nil, err
		}
		// The master renders pillar with an empty pillar: the default.
		return a["default"], nil
	case "grains.filter_by":
		a, err := bind(fun, []param{{"lookup_dict", required}, {"grain", "os_family"}, {"merge", nil}, {"default", "default"}, {"base", nil}}, args, kwargs)
		if err != nil {
			return nil, err
		}
		return r.filterBy(a)
	}
	return nil, fmt.Errorf("'%s' is not available: the master renders pillar with grains.get, grains.filter_by and pillar.get only", fun)
}

// filterBy is salt.utils.data.filter_by over the minion's grains.
func (r *run) filterBy(a map[string]any) (any, error) {
	return saltdata.FilterBy(saltdata.FilterByArgs{LookupDict: a["lookup_dict"], Lookup: py.Str(a["grain"]),
		Traverse: r.grains, Merge: a["merge"], Default: py.Str(a["default"]), Base: a["base"]})
}

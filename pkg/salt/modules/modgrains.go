package modules

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// grainsFuncs is the read side of Salt's grains module
// (salt/modules/grains.py), over the Executor's grains provider.
// grains.items and grains.item declare the nested outputter, as the module's
// __outputter__ does.
func grainsFuncs() []Func {
	return append(append(grainsReadFuncs(), grainsWriteFuncs()...), grainsLookupFuncs()...)
}

// grainsReadFuncs are items, item, get and ls.
func grainsReadFuncs() []Func {
	return []Func{
		{
			Name:   "grains.items",
			Params: []Param{{Name: "sanitize", Default: false}},
			Out:    "nested",
			Doc:    "Return all of the minion's grains; sanitize=True masks host names and serial numbers.\n\nCLI Example: salt '*' grains.items",
			Call: func(c *Call) (any, error) {
				out, _ := py.DictItems(c.Grains()) // a new Map, keys sorted
				if isTrue(c.Arg("sanitize")) {
					sanitize(out)
				}
				return out, nil
			},
		},
		{
			Name:      "grains.item",
			VarArgs:   true,
			VarKwargs: true,
			Out:       "nested",
			Doc:       "Return the named grains as {name: value}; a name may be a nested path, and default= is used for missing ones.\n\nCLI Example: salt '*' grains.item os osrelease",
			Call: func(c *Call) (any, error) {
				def, ok := c.Kwargs.Get("default")
				if !ok {
					def = ""
				}
				delim := target.DefaultDelimiter
				if d, ok := c.Kwargs.Get("delimiter"); ok {
					delim = py.Str(d)
				}
				g := c.Grains()
				out := body.Map{}
				for _, a := range c.Args {
					key := py.Str(a)
					out.Set(key, target.Traverse(g, key, delim, def))
				}
				if s, _ := c.Kwargs.Get("sanitize"); isTrue(s) {
					sanitize(out)
				}
				return out, nil
			},
		},
		{
			Name: "grains.get",
			Params: []Param{
				{Name: "key", Required: true},
				{Name: "default", Default: ""},
				{Name: "delimiter", Default: target.DefaultDelimiter},
				{Name: "ordered", Default: true},
			},
			Doc: "Return the value of a grain, walking nested mappings and lists along key split on ':'; default (\"\") when it is missing.\n\nCLI Example: salt '*' grains.get pkg:apache",
			Call: func(c *Call) (any, error) {
				return target.Traverse(c.Grains(), py.Str(c.Arg("key")), py.Str(c.Arg("delimiter")), c.Arg("default")), nil
			},
		},
		{
			Name:   "grains.ls",
			PyName: "ls",
			Doc:    "Return the sorted names of the minion's grains.\n\nCLI Example: salt '*' grains.ls",
			Call: func(c *Call) (any, error) {
				g := c.Grains()
				return toAnyList(slices.Sorted(maps.Keys(g))), nil
			},
		},
	}
}

// sanitize applies grains.py _SANITIZERS in place.
func sanitize(m body.Map) {
	for i, it := range m {
		switch it.Key {
		case "serialnumber":
			s := py.Str(it.Value)
			r := []rune(s)
			keep := int(math.Floor(float64(len(r)) * 0.75))
			m[i].Value = string(r[:keep]) + strings.Repeat("X", len(r)-keep)
		case "domain":
			m[i].Value = "DOMAINNAME"
		case "fqdn", "id":
			m[i].Value = "MINION.DOMAINNAME"
		case "host", "localhost", "nodename":
			m[i].Value = "MINION"
		}
	}
}

func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

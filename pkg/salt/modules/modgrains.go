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
			Doc:    "Return all of the minion's grains\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.items\n\nSanitized CLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.items sanitize=True",
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
			Doc:       "Return one or more grains\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.item os\n    salt '*' grains.item os osrelease oscodename\n\nSanitized CLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.item host sanitize=True",
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
			Doc: "Attempt to retrieve the named value from grains, if the named value is not\navailable return the passed default. The default return is an empty string.\n\nThe value can also represent a value in a nested dict using a \":\" delimiter\nfor the dict. This means that if a dict in grains looks like this::\n\n    {'pkg': {'apache': 'httpd'}}\n\nTo retrieve the value associated with the apache key in the pkg dict this\nkey can be passed::\n\n    pkg:apache\n\n\n:param delimiter:\n    Specify an alternate delimiter to use when traversing a nested dict.\n    This is useful for when the desired key contains a colon. See CLI\n    example below for usage.\n\n    .. versionadded:: 2014.7.0\n\n:param ordered:\n    Outputs an ordered dict if applicable (default: True)\n\n    .. versionadded:: 2016.11.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.get pkg:apache\n    salt '*' grains.get abc::def|ghi delimiter='|'",
			Call: func(c *Call) (any, error) {
				return target.Traverse(c.Grains(), py.Str(c.Arg("key")), py.Str(c.Arg("delimiter")), c.Arg("default")), nil
			},
		},
		{
			Name:   "grains.ls",
			PyName: "ls",
			Doc:    "Return a list of all available grains\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.ls",
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

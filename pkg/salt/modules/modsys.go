package modules

import (
	"maps"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// sysFuncs is the listing part of Salt's sys module.
func sysFuncs() []Func {
	return []Func{
		{
			Name:      "sys.list_functions",
			VarArgs:   true,
			VarKwargs: true,
			Doc:       "List the functions of the given modules (or globs of function names), or all of them, sorted.\n\nCLI Example: salt '*' sys.list_functions sys",
			Call: func(c *Call) (any, error) {
				all := c.exec.Functions()
				if len(c.Args) == 0 {
					return toAnyList(all), nil
				}
				set := map[string]bool{}
				for _, a := range c.Args {
					mod := py.Str(a)
					for _, fn := range all {
						if strings.ContainsAny(mod, "*.") {
							if target.Glob(mod, fn) {
								set[fn] = true
							}
						} else if strings.HasPrefix(fn, mod+".") {
							set[fn] = true
						}
					}
				}
				return sortedSet(set), nil
			},
		},
		{
			Name:    "sys.list_modules",
			VarArgs: true,
			Doc:     "List the modules this minion has (or those matching the given globs), sorted.\n\nCLI Example: salt '*' sys.list_modules 's*'",
			Call: func(c *Call) (any, error) {
				set := map[string]bool{}
				for _, fn := range c.exec.Functions() {
					mod, _, _ := strings.Cut(fn, ".")
					if len(c.Args) == 0 {
						set[mod] = true
						continue
					}
					for _, a := range c.Args {
						pat := py.Str(a)
						if strings.Contains(pat, "*") && target.Glob(pat, fn) || mod == pat {
							set[mod] = true
						}
					}
				}
				return sortedSet(set), nil
			},
		},
	}
}

func sortedSet(set map[string]bool) []any {
	return toAnyList(slices.Sorted(maps.Keys(set)))
}

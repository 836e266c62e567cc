package modules

import (
	"maps"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// sysFuncs is Salt's sys module (salt/modules/sysmod.py): what functions
// and modules the minion has, their docstrings and signatures, and the
// same for the state functions. The functions of the Python fallback are
// listed after the built-ins, marked " (python)": the loader of Python
// Salt has them, not this minion's.
func sysFuncs() []Func {
	return slices.Concat(sysListFuncs(), sysDocFuncs(), sysStateFuncs())
}

// pythonMark is the suffix sys.list_functions and sys.list_modules give
// what only the Python fallback offers.
const pythonMark = " (python)"

func sysListFuncs() []Func {
	return []Func{
		{
			Name:    "sys.list_functions",
			VarArgs: true, VarKwargs: true,
			Doc: "List the functions for all modules. Optionally, specify a module or modules\nfrom which to list.\n\n" +
				"Functions only the Python fallback offers come after the built-in ones,\nmarked \" (python)\".\n\n" +
				"CLI Example:\n\n    salt '*' sys.list_functions\n    salt '*' sys.list_functions sys\n    salt '*' sys.list_functions sys user\n\n" +
				"Function names can be specified as globs.\n\n    salt '*' sys.list_functions 'sys.list_*'",
			Call: func(c *Call) (any, error) {
				builtin := toAnyList(filterFunctions(c.exec.Functions(), c.Args))
				for _, fn := range filterFunctions(c.fallbackFunctions(), c.Args) {
					builtin = append(builtin, fn+pythonMark)
				}
				return builtin, nil
			},
		},
		{
			Name:    "sys.list_modules",
			VarArgs: true,
			Doc: "List the modules loaded on the minion\n\n" +
				"Modules only the Python fallback offers come after the built-in ones,\nmarked \" (python)\".\n\n" +
				"CLI Example:\n\n    salt '*' sys.list_modules\n\nModule names can be specified as globs.\n\n    salt '*' sys.list_modules 's*'",
			Call: func(c *Call) (any, error) {
				builtin := filterModules(c.exec.Functions(), c.Args)
				out := toAnyList(builtin)
				for _, mod := range filterModules(c.fallbackFunctions(), c.Args) {
					if !slices.Contains(builtin, mod) {
						out = append(out, mod+pythonMark)
					}
				}
				return out, nil
			},
		},
		{
			Name: "sys.reload_modules",
			Doc:  "Tell the minion to reload the execution modules\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' sys.reload_modules",
			Call: func(*Call) (any, error) { return true, nil },
		},
	}
}

// filterFunctions is list_functions' choice among names: all of them, or
// those matching each argument: a glob when it has * or ., else the
// functions of that module. Sorted.
func filterFunctions(names []string, args []any) []string {
	if len(args) == 0 {
		return slices.Sorted(slices.Values(names))
	}
	set := map[string]bool{}
	for _, a := range args {
		mod := py.Str(a)
		for _, fn := range names {
			if strings.ContainsAny(mod, "*.") && py.Fnmatch(fn, mod) || strings.HasPrefix(fn, mod+".") {
				set[fn] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// filterModules is list_modules' choice: the modules of the functions
// matching a glob argument, or named by an argument, or all. Sorted.
func filterModules(names []string, args []any) []string {
	set := map[string]bool{}
	for _, fn := range names {
		mod, _, _ := strings.Cut(fn, ".")
		if len(args) == 0 {
			set[mod] = true
			continue
		}
		for _, a := range args {
			pat := py.Str(a)
			if strings.Contains(pat, "*") && py.Fnmatch(fn, pat) || mod == pat {
				set[mod] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func sortedSet(set map[string]bool) []any {
	return toAnyList(slices.Sorted(maps.Keys(set)))
}

package modules

import (
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

func sysDocFuncs() []Func {
	return []Func{
		{
			Name:    "sys.doc",
			VarArgs: true,
			Doc:     "Return the docstrings for all modules. Optionally, specify a module or a\nfunction to narrow the selection.\n\nThe strings are aggregated into a single document on the master for easy\nreading.\n\nMultiple modules/functions can be specified.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' sys.doc\n    salt '*' sys.doc sys\n    salt '*' sys.doc sys.doc\n    salt '*' sys.doc network.traceroute user.info\n\nModules can be specified as globs.\n\n.. versionadded:: 2015.5.0\n\n.. code-block:: bash\n\n    salt '*' sys.doc 'sys.*'\n    salt '*' sys.doc 'sys.list_*'",
			Call: func(c *Call) (any, error) {
				out := body.Map{}
				for _, fn := range selectFunctions(c.exec.Functions(), c.Args) {
					out = append(out, body.Item{Key: fn, Value: c.exec.docstring(fn)})
				}
				return c.withFallback(out, "sys.doc", selectFunctions(c.fallbackFunctions(), c.Args), c.Args), nil
			},
		},
		{
			Name:   "sys.argspec",
			Params: []Param{{Name: "module", Default: ""}},
			Doc:    "Return the argument specification of functions in Salt execution\nmodules.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' sys.argspec pkg.install\n    salt '*' sys.argspec sys\n    salt '*' sys.argspec\n\nModule names can be specified as globs.\n\n.. versionadded:: 2015.5.0\n\n.. code-block:: bash\n\n    salt '*' sys.argspec 'pkg.*'",
			Call: func(c *Call) (any, error) {
				module := py.Str(c.Arg("module"))
				out := argspecReport(c.exec, c.exec.Functions(), module)
				var fallback []string
				for _, fn := range c.fallbackFunctions() {
					if argspecSelects(module, fn) {
						fallback = append(fallback, fn)
					}
				}
				return c.withFallback(out, "sys.argspec", fallback, []any{module}), nil
			},
		},
	}
}

// selectFunctions is sys.doc's choice among names: all, or for each
// argument the functions its glob matches (one with *), or the function it
// names and those of the module it names ("sys" and "sys." both, never
// "sysctl"). Sorted, each once.
func selectFunctions(names []string, args []any) []string {
	if len(args) == 0 {
		return names
	}
	set := map[string]bool{}
	for _, a := range args {
		mod := py.Str(a)
		prefix := ""
		if mod != "" && !strings.HasSuffix(mod, ".") {
			prefix = mod + "."
		} else {
			prefix = mod
		}
		for _, fn := range names {
			if strings.Contains(mod, "*") && py.Fnmatch(fn, mod) ||
				!strings.Contains(mod, "*") && (fn == mod || strings.HasPrefix(fn, prefix)) {
				set[fn] = true
			}
		}
	}
	return filterFunctions(keysOf(set), nil)
}

func keysOf(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// docstring is fun's __doc__ as sys.doc returns it (pyDocstring, then
// strip_rst); nil for a function without one.
func (e *Executor) docstring(fun string) any {
	e.mu.RLock()
	f := e.funcs[fun]
	e.mu.RUnlock()
	if f == nil || f.Doc == "" {
		return nil
	}
	return stripRST(pyDocstring(f.Doc))
}

// argspecReport is salt.utils.args.argspec_report over the built-ins: for
// each function a glob (with * or .) matches, or of the module named,
// {args, defaults, varargs, kwargs} as Python's getfullargspec gives them,
// None for what is empty.
func argspecReport(e *Executor, names []string, module string) body.Map {
	out := body.Map{}
	for _, fn := range filterFunctions(names, nil) {
		if !argspecSelects(module, fn) {
			continue
		}
		e.mu.RLock()
		f := e.funcs[fn]
		e.mu.RUnlock()
		if f != nil {
			out = append(out, body.Item{Key: fn, Value: argspec(f)})
		}
	}
	return out
}

// argspecSelects is argspec_report's choice: a glob (with * or .), else
// the functions of the module named.
func argspecSelects(module, fn string) bool {
	if strings.ContainsAny(module, "*.") {
		return py.Fnmatch(fn, module)
	}
	return strings.HasPrefix(fn, module+".")
}

// withFallback adds to out what the Python fallback's own sysFun (Salt's
// sys.doc or sys.argspec, run by its loader) says of the functions only it
// has, names, asked with the same arguments; out's keys end up sorted.
// What the fallback cannot answer is left out.
func (c *Call) withFallback(out body.Map, sysFun string, names []string, args []any) body.Map {
	fb := c.exec.opts.Fallback
	if fb == nil || len(names) == 0 {
		return out
	}
	res, ok := fb.Call(c.Ctx, sysFun, args, Pub{})
	got, isMap := py.DictItems(res.Return)
	if !ok || res.Raised || !isMap {
		return out
	}
	for _, fn := range names {
		if v, ok := got.Get(fn); ok {
			out = append(out, body.Item{Key: fn, Value: v})
		}
	}
	slices.SortStableFunc(out, func(a, b body.Item) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// argspec is one function's entry of argspec_report: defaults are those
// of the parameters from the first that has one.
func argspec(f *Func) body.Map {
	var args, defaults []any
	for _, p := range f.Params {
		args = append(args, p.Name)
		if !p.Required || len(defaults) > 0 {
			defaults = append(defaults, p.Default)
		}
	}
	noneIfNil := func(l []any) any {
		if len(l) == 0 {
			return nil
		}
		return l
	}
	trueOrNone := func(b bool) any {
		if b {
			return true
		}
		return nil
	}
	return body.Map{{Key: "args", Value: noneIfNil(args)}, {Key: "defaults", Value: noneIfNil(defaults)},
		{Key: "varargs", Value: trueOrNone(f.VarArgs)}, {Key: "kwargs", Value: trueOrNone(f.VarKwargs)}}
}

// cliExample is a one-line "CLI Example: salt ..." of a short docstring.
var cliExample = regexp.MustCompile(`(?m)^CLI Example: (\S.*)$`)

// pyDocstring is a Func's Doc as Python keeps a docstring written in a
// function body: after a newline, every line indented by four spaces,
// ending with the indentation of the closing quotes. A one-line "CLI
// Example: ..." becomes Salt's block with the command indented under it.
func pyDocstring(doc string) string {
	doc = cliExample.ReplaceAllString(doc, "CLI Example:\n\n    $1")
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "    " + l
		} else {
			lines[i] = ""
		}
	}
	return "\n" + strings.Join(lines, "\n") + "\n    "
}

// rstDirectives are salt.utils.doc.strip_rst's replacements, in order.
var rstDirectives = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(` *\.\. code-block:: \S+\n{1,2}`), ""},
	{regexp.MustCompile(`\.\. note::`), "Note:"},
	{regexp.MustCompile(`\.\. warning::`), "Warning:"},
	{regexp.MustCompile(`\.\. versionadded::`), "New in version"},
	{regexp.MustCompile(`\.\. versionchanged::`), "Changed in version"},
}

// stripRST is salt.utils.doc.strip_rst for one docstring.
func stripRST(doc string) string {
	for _, d := range rstDirectives {
		doc = d.re.ReplaceAllLiteralString(doc, d.repl)
	}
	return doc
}

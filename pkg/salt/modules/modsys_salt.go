package modules

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The functions a minion has, as Salt's __salt__ dict offers them to
// functions: the built-ins, then those of the Python fallback that no
// built-in shadows.

// crossCall is __salt__[fun](*args) from inside a function: a local call
// (no publish, so no __pub_* keys) whose error is raised again as it is; a
// function the minion does not have is a KeyError, as in Salt's loader.
func (c *Call) crossCall(fun string, args []any) (any, error) {
	e := c.exec
	e.mu.RLock()
	f, ok := e.funcs[fun]
	e.mu.RUnlock()
	if ok {
		sub := &Call{Ctx: c.Ctx, Fun: fun, exec: e}
		ret, err := e.invoke(f, sub, args)
		if sub.retcode != 0 {
			c.retcode = sub.retcode // Salt's __context__ is the job's
		}
		return ret, err
	}
	if e.opts.Fallback != nil {
		if res, ok := e.opts.Fallback.Call(c.Ctx, fun, args, Pub{}); ok {
			if res.Raised {
				return nil, &Exception{Type: "Exception", Msg: py.Str(res.Return)}
			}
			return res.Return, nil
		}
	}
	return nil, &Exception{Type: "KeyError", Msg: py.Repr(fun)}
}

// functionNames are the built-in functions and then the Python fallback's
// that are not built in, as sys.list_functions knows them.
func (c *Call) functionNames() []string {
	names := c.exec.Functions()
	for _, fn := range c.fallbackFunctions() {
		names = append(names, fn)
	}
	return names
}

// fallbackFunctions are the functions of the Python fallback that no
// built-in shadows, sorted.
func (c *Call) fallbackFunctions() []string {
	fb := c.exec.opts.Fallback
	if fb == nil {
		return nil
	}
	var out []string
	for _, fn := range fb.Functions(c.Ctx) {
		if !c.exec.Has(fn) {
			out = append(out, fn)
		}
	}
	slices.Sort(out)
	return out
}

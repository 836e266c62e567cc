package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// module.run (salt/states/module.py) calls execution functions from a
// state. Salt 3006 takes two syntaxes: the new one, one argument per
// function ("test.arg: [a, {k: v}]"), and the legacy one (name: the
// function, its arguments as the state's own).

func registerModule(r state.Registry) {
	r["module.run"] = moduleRun
	r["module.wait"] = func(_ context.Context, c *state.Call) state.Ret {
		return newRet(c.Low.Name, &yes)
	}
	r["module.mod_watch"] = moduleRun
}

func moduleRun(ctx context.Context, c *state.Call) state.Ret {
	keys := []string{}
	for _, it := range c.Low.Args {
		if !stateKeywords[it.Key] && it.Key != "__reqs__" {
			keys = append(keys, it.Key)
		}
	}
	legacy := len(keys) == 0
	for _, k := range keys {
		if !strings.Contains(k, ".") {
			legacy = true
		}
	}
	if legacy {
		return moduleLegacyRun(c)
	}
	return moduleNewRun(c, keys)
}

// notAvailable tells a call that failed because the function does not
// exist, as the minion's modules report it.
func notAvailable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "is not available")
}

// splitCallArgs turns module.run's list of arguments into positional
// arguments and keyword arguments (the one-key mappings), as
// salt.utils.functools.call_function does.
func splitCallArgs(v any) ([]any, map[string]any) {
	var pos []any
	kw := map[string]any{}
	list, ok := v.([]any)
	if !ok && v != nil {
		list = []any{v}
	}
	for _, x := range list {
		switch m := x.(type) {
		case body.Map:
			for _, it := range m {
				kw[it.Key] = it.Value
			}
		case map[string]any:
			for k, val := range m {
				kw[k] = val
			}
		default:
			pos = append(pos, x)
		}
	}
	return pos, kw
}

func moduleNewRun(c *state.Call, funcs []string) state.Ret {
	names := make([]any, len(funcs))
	for i, f := range funcs {
		names[i] = f
	}
	ret := state.Ret{Name: c.Low.Name, NameList: names, Changes: body.Map{}}
	if c.Test {
		plural := ""
		if len(funcs) > 1 {
			plural = "True"
		}
		ret.Comment = fmt.Sprintf("Function%s %s to be executed.", plural, strings.Join(funcs, ", "))
		return ret
	}
	var failures, success []string
	for _, f := range funcs {
		fn, _, _ := strings.Cut(f, ":")
		pos, kw := splitCallArgs(argsOf(c).get(f))
		out, err := c.Env.Modules(fn, pos, kw)
		switch {
		case notAvailable(err):
			ret.Result, ret.Comment = &no, fmt.Sprintf("Unavailable function: %s.", fn)
			return ret
		case err != nil:
			failures = append(failures, fmt.Sprintf("'%s' failed: %v", f, err))
		case !moduleResult(out):
			if m, isMap := out.(body.Map); isMap {
				cm, has := m.Get("comment")
				if !has {
					cm = "(error message N/A)"
				}
				failures = append(failures, fmt.Sprintf("'%s' failed: %s", f, pyStr(cm)))
			}
			if b, isBool := out.(bool); isBool && !b {
				failures = append(failures, fmt.Sprintf("'%s': False", f))
			}
		default:
			msg := py.Str(out)
			if m, isMap := out.(body.Map); isMap {
				msg = "Success"
				if cm, has := m.Get("comment"); has {
					msg = pyStr(cm)
				}
			}
			success = append(success, fmt.Sprintf("%s: %s", f, msg))
			ret.Changes.Set(f, out)
		}
	}
	ret.Comment = strings.Join(append(failures, success...), ", ")
	ret.Result = boolp(len(failures) == 0)
	return ret
}

// moduleResult is module._get_result for one function's return: a dict
// with a non-zero retcode or a False fails; a dict's "result" key decides.
func moduleResult(out any) bool {
	switch x := out.(type) {
	case bool:
		return x
	case body.Map:
		if rc, ok := x.Int("retcode"); ok && rc != 0 {
			return false
		}
		if r, ok := x.Bool("result"); ok {
			return r
		}
	}
	return true
}

func moduleLegacyRun(c *state.Call) state.Ret {
	name := c.Low.Name
	ret := state.Ret{Name: name, Changes: body.Map{}}
	if c.Test {
		ret.Comment = fmt.Sprintf("Module function %s is set to execute", name)
		return ret
	}
	kw := map[string]any{}
	var pos []any
	for _, it := range c.Low.Args {
		switch k := it.Key; {
		case stateKeywords[k] || k == "__reqs__" || k == "returner":
		case k == "m_name" || k == "m_fun" || k == "m_state" || k == "m_saltenv" || k == "m_names":
			kw[strings.TrimPrefix(k, "m_")] = it.Value
		case k == "args":
			if l, ok := it.Value.([]any); ok {
				pos = append(pos, l...)
			}
		case k == "kwargs":
			for _, x := range asMap(it.Value) {
				kw[x.Key] = x.Value
			}
		default:
			kw[k] = it.Value
		}
	}
	out, err := c.Env.Modules(name, pos, kw)
	if notAvailable(err) {
		ret.Result, ret.Comment = &no, fmt.Sprintf("Module function %s is not available", name)
		return ret
	}
	if err != nil {
		ret.Result = &no
		ret.Comment = fmt.Sprintf("Module function %s threw an exception. Exception: %v", name, err)
		return ret
	}
	ret.Changes.Set("ret", out)
	ret.Comment = fmt.Sprintf("Module function %s executed", name)
	ret.Result = boolp(legacyResult(out))
	return ret
}

// legacyResult is the end of module._legacy_run: a False return, or a
// dict with result False or a non-zero retcode, fails the state.
func legacyResult(out any) bool {
	return moduleResult(out)
}

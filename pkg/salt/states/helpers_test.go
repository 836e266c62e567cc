package states

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/render"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// localCaller calls the minion's execution modules as the minion's
// callModule does: keyword arguments in a __kwarg__ mapping.
func localCaller(e *modules.Executor) render.Caller {
	return func(fun string, args []any, kwargs map[string]any) (any, error) {
		a := slices.Clone(args)
		if len(kwargs) > 0 {
			kw := body.Map{{Key: "__kwarg__", Value: true}}
			for _, k := range slices.Sorted(maps.Keys(kwargs)) {
				kw = append(kw, body.Item{Key: k, Value: kwargs[k]})
			}
			a = append(a, kw)
		}
		res := e.Run(context.Background(), fun, a, modules.Pub{})
		// A function that returned (cmd.run_all of a failing command)
		// is not an error to a state: only one that raised is.
		if m, ok := res.Return.(body.Map); ok {
			return m, nil
		}
		if !res.Success {
			return nil, fmt.Errorf("%s: %v", fun, res.Return)
		}
		return res.Return, nil
	}
}

func testEnv() *state.Env {
	e := modules.New(modules.Options{})
	caller := localCaller(e)
	return &state.Env{Grains: map[string]any{"id": "m1", "os": "Debian"}, Pillar: map[string]any{"role": "web"},
		Opts: map[string]any{}, Saltenv: "base", Modules: caller, Render: &render.Renderer{Caller: caller}}
}

// run calls the registered state function fun ("file.managed") on name.
func run(t *testing.T, env *state.Env, fun, name string, args body.Map, test bool) state.Ret {
	t.Helper()
	r := state.Registry{}
	Register(r)
	f, ok := r[fun]
	if !ok {
		t.Fatalf("%s is not registered", fun)
	}
	st, fn, _ := cut(fun)
	low := &state.Low{State: st, Fun: fn, ID: name, Name: name, Env: "base", Args: args}
	return f(context.Background(), &state.Call{Low: low, Test: test, Env: env})
}

func cut(fun string) (string, string, bool) {
	for i := range fun {
		if fun[i] == '.' {
			return fun[:i], fun[i+1:], true
		}
	}
	return fun, "", false
}

func resultStr(r *bool) string {
	if r == nil {
		return "None"
	}
	return pyStr(*r)
}

// wantRet checks result, comment and the changes as JSON.
func wantRet(t *testing.T, got state.Ret, result, comment, changes string) {
	t.Helper()
	if resultStr(got.Result) != result {
		t.Errorf("result = %s, want %s (comment %q)", resultStr(got.Result), result, got.Comment)
	}
	if got.Comment != comment {
		t.Errorf("comment = %q, want %q", got.Comment, comment)
	}
	js, err := body.AppendJSON(nil, got.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if changes != "-" && string(js) != changes {
		t.Errorf("changes = %s, want %s", js, changes)
	}
}

func lowFor(st, fun, name string) *state.Low {
	return &state.Low{State: st, Fun: fun, ID: name, Name: name, Env: "base"}
}

func callLow(t *testing.T, env *state.Env, fun string, low *state.Low, test bool) state.Ret {
	t.Helper()
	r := state.Registry{}
	Register(r)
	return r[fun](context.Background(), &state.Call{Low: low, Test: test, Env: env})
}

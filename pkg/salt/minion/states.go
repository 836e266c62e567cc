package minion

import (
	"context"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// stateCompiler is what the state system needs of state.Compiler: the
// high data of some sls in one saltenv, the top file's sls per saltenv
// for this minion, and the high data of all of those (render_highstate,
// the saltenvs in the top's order), each with Salt's errors.
type stateCompiler interface {
	High(ctx context.Context, saltenv string, mods []string) (body.Map, []string)
	Top(ctx context.Context, saltenv string) (map[string][]string, []string)
	Highstate(ctx context.Context, saltenv string) (body.Map, []string)
}

// stateSystem is the minion's state system (modules.States): the sls of
// the master's file server compiled to high data and low chunks, run with
// the state functions. Its parts are functions so that the parts of the
// state package plug in (states_wire.go) and tests stand in for them.
type stateSystem struct {
	// env is what the state functions and the compiler see for one
	// request: grains, the pillar (fresh from the master with pillar= or
	// pillarenv=, else the one in memory), opts and the saltenv.
	env func(ctx context.Context, req modules.StateRequest) (*state.Env, error)
	// compiler is a compiler over env's grains, pillar and opts.
	compiler func(env *state.Env) stateCompiler
	// compile is state.Compile: high data to ordered low chunks.
	compile func(high body.Map) ([]state.Low, []string)
	// run is state.Run with the registry of state functions.
	run func(ctx context.Context, chunks []state.Low, test bool, env *state.Env) body.Map
	// functions are the names of the state functions, sorted.
	functions []string
}

// Functions lists the state functions (modules.StateFunctions), for
// sys.list_state_functions.
func (s *stateSystem) Functions() []string { return s.functions }

// Run answers one request of the state module.
func (s *stateSystem) Run(ctx context.Context, req modules.StateRequest) (modules.StateReply, error) {
	env, err := s.env(ctx, req)
	if err != nil {
		return modules.StateReply{}, err
	}
	if errs := pillarErrors(env.Pillar); len(errs) > 0 {
		return modules.StateReply{PillarErrors: errs}, nil
	}
	comp := s.compiler(env)
	switch req.Op {
	case modules.OpShowTop:
		top, errs := comp.Top(ctx, req.Saltenv)
		if len(errs) > 0 {
			return modules.StateReply{Errors: errs}, nil
		}
		return modules.StateReply{Return: topMap(top)}, nil
	case modules.OpSingle:
		return s.single(ctx, req, env), nil
	case modules.OpHighstate, modules.OpShowHighstate, modules.OpShowLowstate:
		return s.highstate(ctx, req, env, comp), nil
	}
	high, errs := comp.High(ctx, req.Saltenv, req.Mods)
	if len(errs) > 0 {
		return modules.StateReply{Errors: errs}, nil
	}
	if req.Op == modules.OpShowSLS {
		return modules.StateReply{Return: high}, nil
	}
	return s.runHigh(ctx, req, env, applyExclude(high, req.Exclude)), nil
}

// highstate is call_highstate, compile_highstate and compile_low_chunks:
// the sls the top file gives this minion, in each saltenv, merged.
func (s *stateSystem) highstate(ctx context.Context, req modules.StateRequest, env *state.Env, comp stateCompiler) modules.StateReply {
	top, errs := comp.Top(ctx, req.Saltenv)
	if len(errs) > 0 {
		return modules.StateReply{Errors: errs}
	}
	if len(top) == 0 {
		if req.Op != modules.OpHighstate {
			return modules.StateReply{Return: body.Map{}}
		}
		return modules.StateReply{Return: noStates("No Top file or master_tops data matches found. Please see master log for details.")}
	}
	high, errs := comp.Highstate(ctx, req.Saltenv)
	if len(errs) > 0 {
		return modules.StateReply{Errors: errs}
	}
	high = applyExclude(high, req.Exclude)
	switch req.Op {
	case modules.OpShowHighstate:
		return modules.StateReply{Return: high}
	case modules.OpShowLowstate:
		chunks, errs := s.compile(high)
		if len(errs) > 0 {
			return modules.StateReply{Errors: errs}
		}
		return modules.StateReply{Return: lowData(chunks)}
	}
	if len(high) == 0 {
		return modules.StateReply{Return: noStates("No states found for this minion")}
	}
	return s.runHigh(ctx, req, env, high)
}

// runHigh compiles high data and runs it (sls_id: only the chunks of the
// ID).
func (s *stateSystem) runHigh(ctx context.Context, req modules.StateRequest, env *state.Env, high body.Map) modules.StateReply {
	chunks, errs := s.compile(high)
	if len(errs) > 0 {
		return modules.StateReply{Errors: errs}
	}
	if req.Op == modules.OpSLSID {
		chunks = slices.DeleteFunc(chunks, func(l state.Low) bool { return l.ID != req.ID })
		if len(chunks) == 0 {
			return modules.StateReply{Return: body.Map{}, High: high}
		}
	}
	return modules.StateReply{Return: s.run(ctx, chunks, req.Test, env), High: high}
}

// single is state.single: one chunk made of the function and its
// arguments, with no sls.
func (s *stateSystem) single(ctx context.Context, req modules.StateRequest, env *state.Env) modules.StateReply {
	mod, fun, _ := strings.Cut(req.Fun, ".")
	low := state.Low{State: mod, Fun: fun, ID: req.Name, Name: req.Name, Env: env.Saltenv}
	for _, it := range req.Kwargs {
		switch it.Key {
		case "name", "test", "queue", "saltenv", "pillarenv", "pillar", "concurrent":
			continue
		}
		low.Args = append(low.Args, it)
	}
	return modules.StateReply{Return: s.run(ctx, []state.Low{low}, req.Test, env)}
}

// noStates is call_highstate's return when nothing is to run: one false
// state "no_|-states_|-states_|-None" with the reason.
func noStates(comment string) body.Map {
	return body.Map{{Key: "no_|-states_|-states_|-None", Value: body.Map{
		{Key: "result", Value: false}, {Key: "comment", Value: comment},
		{Key: "name", Value: "No States"}, {Key: "changes", Value: body.Map{}}, {Key: "__run_num__", Value: 0},
	}}}
}

// pillarErrors is the pillar's _errors, which stop a state run.
func pillarErrors(p map[string]any) []string {
	list, _ := py.ListItems(p["_errors"])
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = py.Str(e)
	}
	return out
}

// topEnvs are a top's saltenvs, base first and then by name.
func topEnvs(top map[string][]string) []string {
	envs := make([]string, 0, len(top))
	for env := range top {
		envs = append(envs, env)
	}
	slices.SortFunc(envs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "base":
			return -1
		case b == "base":
			return 1
		}
		return strings.Compare(a, b)
	})
	return envs
}

// topMap is show_top's return: saltenv → sls names.
func topMap(top map[string][]string) body.Map {
	out := body.Map{}
	for _, env := range topEnvs(top) {
		names := make([]any, len(top[env]))
		for i, n := range top[env] {
			names[i] = n
		}
		out = append(out, body.Item{Key: env, Value: names})
	}
	return out
}

package minion

import (
	"context"
	"maps"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
	"github.com/saltraet/saltraet/pkg/salt/states"
)

// wire joins the minion's state system to the compiler and runtime of
// pkg/salt/state and the state functions of pkg/salt/states.
func wire(m *Minion, s *stateSystem) {
	reg := state.Registry{}
	states.Register(reg)
	s.functions = slices.Sorted(maps.Keys(reg))
	s.compiler = func(env *state.Env) stateCompiler {
		return &state.Compiler{Source: state.RemoteSource{Client: m.files}, Renderer: env.Render,
			Grains: env.Grains, Pillar: env.Pillar, Opts: env.Opts}
	}
	s.compile = func(high body.Map) ([]state.Low, []string) { return state.Compile(high) }
	s.run = func(ctx context.Context, chunks []state.Low, test bool, env *state.Env) body.Map {
		failhard, _ := env.Opts["failhard"].(bool)
		ret := state.Run(ctx, chunks, state.RunOptions{Test: test, Failhard: failhard, Registry: reg, Env: env})
		m.logStateResults(ret)
		return ret
	}
}

//go:build statewire

// This file wires the parts of issue 13 built alongside this one (the
// compiler and runtime in pkg/salt/state, the state functions in
// pkg/salt/states) into the minion's state system, against the APIs fixed
// for them. It is built with -tags statewire until they land; then the
// build line goes.

package minion

import (
	"context"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
	"github.com/saltraet/saltraet/pkg/salt/states"
)

func init() { wireStates = wire }

func wire(m *Minion, s *stateSystem) {
	reg := state.Registry{}
	states.Register(reg)
	s.compiler = func(env *state.Env) stateCompiler {
		return &state.Compiler{Source: state.RemoteSource{Client: m.files}, Renderer: env.Render,
			Grains: env.Grains, Pillar: env.Pillar, Opts: env.Opts}
	}
	s.compile = func(high body.Map) ([]state.Low, []string) { return state.Compile(high) }
	s.run = func(ctx context.Context, chunks []state.Low, test bool, env *state.Env) body.Map {
		failhard, _ := env.Opts["failhard"].(bool)
		return state.Run(ctx, chunks, state.RunOptions{Test: test, Failhard: failhard, Registry: reg, Env: env})
	}
}

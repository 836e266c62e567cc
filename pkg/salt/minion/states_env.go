package minion

import (
	"context"

	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/render"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// wireStates builds the compiler, compile and run parts of the minion's
// state system from the state package and the state functions
// (states_wire.go); tests put fakes in their place.
var wireStates = wire

// states returns the minion's state system for modules.Options.States,
// or nil when the parts are not wired.
func (m *Minion) states() modules.States {
	if wireStates == nil {
		return nil
	}
	s := &stateSystem{env: m.stateEnv}
	wireStates(m, s)
	return s
}

// stateEnv is what one state request sees: the minion's grains and opts,
// its pillar (a fresh one from the master with pillar= or pillarenv=, the
// override merged over it), its modules, file client and renderer.
func (m *Minion) stateEnv(ctx context.Context, req modules.StateRequest) (*state.Env, error) {
	pillar := m.Pillar()
	if req.Pillar != nil || req.Pillarenv != "" {
		override := map[string]any{}
		for _, it := range req.Pillar {
			override[it.Key] = it.Value
		}
		p, err := m.fetchPillar(ctx, req.Pillarenv, override)
		if err != nil {
			return nil, err
		}
		pillar = p
	}
	return &state.Env{
		Grains: m.Grains(), Pillar: pillar, Opts: m.cfg.Raw, Saltenv: req.Saltenv,
		Modules: m.callModule, Files: m.files,
		Render: &render.Renderer{Caller: m.callModule, Loader: m.loadTemplate},
	}, nil
}

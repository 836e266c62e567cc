//go:build statewire

// This file wires the parts of issue 13 built alongside this one (the
// compiler and runtime in pkg/salt/state, the state functions in
// pkg/salt/states) into the minion's state system, against the APIs fixed
// for them. It is built with -tags statewire until they land; then the
// build line goes.

package minion

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
	"github.com/saltraet/saltraet/pkg/salt/states"
)

func init() { wireStates = wire }

func wire(m *Minion, s *stateSystem) {
	reg := state.Registry{}
	states.Register(reg)
	s.compiler = func(env *state.Env) stateCompiler {
		return &state.Compiler{Source: fileSource{m}, Renderer: env.Render,
			Grains: env.Grains, Pillar: env.Pillar, Opts: env.Opts}
	}
	s.compile = func(high body.Map) ([]state.Low, []string) { return state.Compile(high) }
	s.run = func(ctx context.Context, chunks []state.Low, test bool, env *state.Env) body.Map {
		failhard, _ := env.Opts["failhard"].(bool)
		return state.Run(ctx, chunks, state.RunOptions{Test: test, Failhard: failhard, Registry: reg, Env: env})
	}
}

// fileSource is state.Source over the minion's file client: "a.b" is
// salt://a/b.sls, else salt://a/b/init.sls.
type fileSource struct{ m *Minion }

func (f fileSource) Fetch(ctx context.Context, saltenv, sls string) (string, []byte, error) {
	base := strings.ReplaceAll(sls, ".", "/")
	for _, p := range []string{base + ".sls", path.Join(base, "init.sls")} {
		text, file, err := f.m.loadTemplate(saltenv, p)
		if err == nil {
			return file, text, nil
		}
		if ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
	}
	return "", nil, state.ErrNoSLS
}

func (f fileSource) ListStates(ctx context.Context, saltenv string) ([]string, error) {
	if f.m.files == nil {
		return nil, errors.New("state: the minion has no file client")
	}
	return f.m.files.ListStates(ctx, saltenv)
}

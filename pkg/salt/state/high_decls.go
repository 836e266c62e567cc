package state

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The declarations of one rendered sls: extend, exclude, include and the
// state declarations, as BaseHighState's _handle_* methods take them.

// handleExtend moves the sls's extend onto its __extend__ list, each
// extended ID marked with the sls and env, "file.managed" keys split.
func handleExtend(state *body.Map, sls, env string, errs *[]string) {
	v, ok := state.Get("extend")
	if !ok {
		return
	}
	state.Delete("extend")
	ext, ok := v.(body.Map)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("Extension value in SLS '%s' is not a dictionary", sls))
		return
	}
	for i, it := range ext {
		m, ok := it.Value.(body.Map)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("Extension name '%s' in SLS '%s' is not a dictionary", it.Key, sls))
			continue
		}
		if !m.Has("__sls__") {
			m.Set("__sls__", sls)
		}
		if !m.Has("__env__") {
			m.Set("__env__", env)
		}
		for _, key := range m.Keys() {
			run, isList := mustGet(m, key).([]any)
			if strings.HasPrefix(key, "_") || !isList || !strings.Contains(key, ".") {
				continue
			}
			mod, fun, _ := strings.Cut(key, ".")
			m.Delete(key)
			m.Set(mod, append(run, fun))
		}
		ext[i].Value = m
	}
	old, _ := state.Get("__extend__")
	state.Set("__extend__", append(listOf(old), ext))
}

// mustGet is m[key], nil when absent.
func mustGet(m body.Map, key string) any {
	v, _ := m.Get(key)
	return v
}

// handleExclude moves the sls's exclude onto its __exclude__ list.
func handleExclude(state *body.Map, sls string, errs *[]string) {
	v, ok := state.Get("exclude")
	if !ok {
		return
	}
	state.Delete("exclude")
	l, isList := v.([]any)
	if !isList {
		*errs = append(*errs, fmt.Sprintf("Exclude Declaration in SLS %s is not formed as a list", sls))
	}
	old, _ := state.Get("__exclude__")
	state.Set("__exclude__", append(listOf(old), l...))
}

// handleStateDecls is _handle_state_decls: "id: pkg.installed" is padded
// to a declaration, "file.managed:" keys become "file:" with "managed"
// appended (moved to the end, as Python's pop and set move them), and
// every ID gets its __sls__ and __env__.
func handleStateDecls(state body.Map, sls, env string, errs *[]string) {
	for i, it := range state {
		decl, ok := it.Value.(body.Map)
		if !ok {
			if it.Key == "__extend__" || it.Key == "__exclude__" {
				continue
			}
			if s, isStr := it.Value.(string); isStr && strings.Contains(s, ".") {
				comps := strings.Split(s, ".")
				state[i].Value = body.Map{{Key: "__sls__", Value: sls}, {Key: "__env__", Value: env}, {Key: comps[0], Value: []any{comps[1]}}}
				continue
			}
			*errs = append(*errs, fmt.Sprintf("ID %s in SLS %s is not a dictionary", it.Key, sls))
			continue
		}
		var skeys []string
		for _, key := range decl.Keys() {
			run, isList := mustGet(decl, key).([]any)
			if strings.HasPrefix(key, "_") || !isList {
				continue
			}
			if !strings.Contains(key, ".") {
				skeys = append(skeys, key)
				continue
			}
			comps := strings.Split(key, ".")
			if slices.Contains(skeys, comps[0]) {
				*errs = append(*errs, fmt.Sprintf("ID '%s' in SLS '%s' contains multiple state declarations of the same type", it.Key, sls))
				continue
			}
			decl.Delete(key)
			decl.Set(comps[0], append(run, comps[1]))
			skeys = append(skeys, comps[0])
		}
		if !decl.Has("__sls__") {
			decl.Set("__sls__", sls)
		}
		if !decl.Has("__env__") {
			decl.Set("__env__", env)
		}
		state[i].Value = decl
	}
}

var reRelative = regexp.MustCompile(`^(\.+)(.*)$`)

// include renders one include entry of sls ("name", ".relative", or
// {env: name}) and merges what it names into state after state's own IDs.
func (g *gather) include(state *body.Map, entry any, sls, env string, isInit bool, matches []envSLS, errs *[]string) {
	envKey, inc := env, py.Str(entry)
	if m, ok := entry.(body.Map); ok && len(m) > 0 {
		last := m[len(m)-1] // popitem
		envKey, inc = last.Key, py.Str(last.Value)
	}
	if !g.hasEnv(envKey) {
		*errs = append(*errs, fmt.Sprintf("Nonexistent saltenv '%s' found in include of '%s' within SLS '%s:%s'", envKey, inc, env, sls))
		return
	}
	if strings.HasPrefix(inc, ".") {
		m := reRelative.FindStringSubmatch(inc)
		levels := len(m[1])
		comps := strings.Split(sls, ".")
		if isInit {
			comps = append(comps, "init")
		}
		if levels > len(comps) {
			*errs = append(*errs, fmt.Sprintf("Attempted relative include of '%s' within SLS '%s:%s' goes beyond top level package ", inc, env, sls))
			return
		}
		inc = strings.Join(append(slices.Clone(comps[:len(comps)-levels]), m[2]), ".")
	}
	inMatches := slices.ContainsFunc(matches, func(m envSLS) bool { return m.env == envKey })
	if !inMatches && len(py.FnmatchFilter(g.states(envKey), inc)) == 0 {
		*errs = append(*errs, fmt.Sprintf("Unknown include: Specified SLS %s: %s is not available on the salt master in saltenv(s): %s ", envKey, inc, envKey))
		return
	}
	targets := py.FnmatchFilter(g.states(env), inc)
	if len(targets) == 0 {
		targets = []string{inc}
	}
	rEnv := envKey
	for _, target := range targets {
		if g.mods[rEnv+":"+target] {
			continue
		}
		nstate, err := g.renderState(target, rEnv, matches)
		if len(nstate) > 0 {
			mergeIncluded(state, nstate, errs)
		}
		*errs = append(*errs, err...)
	}
}

// hasEnv reports whether saltenv is one of the environments, when the
// Source can list them (any is, when it cannot).
func (g *gather) hasEnv(saltenv string) bool {
	envs, ok := g.sourceEnvs()
	return !ok || slices.Contains(envs, saltenv)
}

// sourceEnvs is the Source's environments, asked once; ok is false when
// it cannot list them (or failed to).
func (g *gather) sourceEnvs() ([]string, bool) {
	if g.envList == nil {
		g.envList = []string{}
		g.envsKnown = false
		if el, ok := g.c.Source.(interface {
			Envs(ctx context.Context) ([]string, error)
		}); ok {
			envs, err := el.Envs(g.ctx)
			if err == nil {
				g.envList, g.envsKnown = append(g.envList, envs...), true
			}
		}
	}
	return g.envList, g.envsKnown
}

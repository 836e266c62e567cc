package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/top"
)

// Top is the top file's sls per environment for this minion (what
// state.show_top prints and highstate applies), as HighState.get_top and
// top_matches make it: the environments' top files (only saltenv's when
// given, else state_top_saltenv's or all, env_order first) and those they
// include, merged by top_file_merging_strategy (merge, same, merge_all),
// their targets matched by pkg/salt/top with the minion's id, grains and
// the nodegroups option.
func (c *Compiler) Top(ctx context.Context, saltenv string) (map[string][]string, []string) {
	matches, errs := c.newGather(ctx).topMatches(saltenv)
	out := make(map[string][]string, len(matches))
	for _, m := range matches {
		out[m.env] = m.mods
	}
	return out, errs
}

// Highstate is the high data of the minion's top (render_highstate of
// top_matches), environments in the order the top gives them.
func (c *Compiler) Highstate(ctx context.Context, saltenv string) (High, []string) {
	g := c.newGather(ctx)
	matches, errs := g.topMatches(saltenv)
	high, rerrs := g.highstate(matches)
	return high, append(errs, rerrs...)
}

// topMatches is top_matches of get_top.
func (g *gather) topMatches(saltenv string) ([]envSLS, []string) {
	tops, err := g.tops(saltenv)
	if err != nil {
		return nil, []string{"Unable to render top file: " + err.Error()}
	}
	if !targetsAreMaps(tops) {
		return nil, []string{"Unable to render top file: Unable to render top file. No targets found."}
	}
	merged := g.mergeTops(tops)
	errs := verifyTops(merged)
	m := top.Matcher{ID: py.Str(g.c.Opts["id"]), Grains: g.c.Grains}
	m.Nodegroups, _ = g.c.Opts["nodegroups"].(map[string]any)
	if id, ok := g.c.Grains["id"].(string); ok && m.ID == "" {
		m.ID = id
	}
	var out []envSLS
	index := func(env string) int {
		i := slices.IndexFunc(out, func(e envSLS) bool { return e.env == env })
		if i < 0 {
			out = append(out, envSLS{env: env})
			i = len(out) - 1
		}
		return i
	}
	add := func(env, sls string) { i := index(env); out[i].mods = append(out[i].mods, sls) }
	for _, et := range merged {
		if saltenv != "" && et.Key != saltenv {
			continue
		}
		for _, t := range asMap(et.Value) {
			data := listOf(t.Value)
			if s, ok := t.Value.(string); ok {
				data = []any{s}
			}
			if !m.Confirm(t.Key, data) {
				continue
			}
			index(et.Key) // in the matches even with no sls
			for _, item := range data {
				switch x := item.(type) {
				case string:
					add(et.Key, x)
				case body.Map:
					if len(x) > 0 && !x.Has("match") && slices.Contains(g.envs(), x[len(x)-1].Key) {
						add(x[len(x)-1].Key, py.Str(x[len(x)-1].Value))
					}
				}
			}
		}
	}
	return out, errs
}

// targetsAreMaps reports whether every environment section of the top
// files is a mapping of targets (or empty): merge_tops raises on any other.
func targetsAreMaps(tops []envTops) bool {
	for _, et := range tops {
		for _, t := range et.tops {
			for _, sec := range t {
				if _, ok := sec.Value.(body.Map); !ok && sec.Key != "include" && (sec.Value == nil || py.Truthy(sec.Value)) {
					return false
				}
			}
		}
	}
	return true
}

// verifyTops is HighState.verify_tops of the merged top.
func verifyTops(top body.Map) []string {
	var errs []string
	for _, et := range top {
		if et.Key == "include" {
			continue
		}
		if et.Key == "" {
			errs = append(errs, "Empty saltenv statement in top file")
		}
		targets, ok := et.Value.(body.Map)
		if !ok {
			errs = append(errs, fmt.Sprintf("The top file matches for saltenv %s are not formatted as a dict", et.Key))
		}
		for _, t := range targets {
			mods, ok := t.Value.([]any)
			if !ok {
				errs = append(errs, "Malformed topfile (state declarations not formed as a list)")
				continue
			}
			for _, mod := range mods {
				switch x := mod.(type) {
				case body.Map:
					for _, kv := range x {
						if !py.Truthy(kv.Value) {
							errs = append(errs, fmt.Sprintf("Improperly formatted top file matcher in saltenv %s: %s file", odictRepr(x), py.Repr(kv.Value)))
						}
					}
				case string:
					if x == "" {
						errs = append(errs, fmt.Sprintf("Environment %s contains an empty sls index", et.Key))
					}
				}
			}
		}
	}
	return errs
}

// topFile is state_top as an sls name ("salt://top.sls" is "top").
func (g *gather) topFile() string {
	name := py.Str(g.c.Opts["state_top"])
	if g.c.Opts["state_top"] == nil || name == "" {
		name = "top.sls"
	}
	return strings.TrimSuffix(strings.TrimPrefix(name, "salt://"), ".sls")
}

// envs is _get_envs: env_order (of those the Source has, when it can list
// them), else base then the Source's environments.
func (g *gather) envs() []string {
	have, _ := g.sourceEnvs()
	var order []string
	for _, e := range listOf(g.c.Opts["env_order"]) {
		if s := py.Str(e); !slices.Contains(order, s) && (len(have) == 0 || slices.Contains(have, s)) {
			order = append(order, s)
		}
	}
	if len(order) > 0 {
		return order
	}
	out := []string{"base"}
	for _, e := range have {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// envTops is the rendered top files of one environment.
type envTops struct {
	env  string
	tops []body.Map
}

// tops is get_tops: each environment's top file rendered (an empty one
// where it has none), then the sls their include lists name.
func (g *gather) tops(saltenv string) ([]envTops, error) {
	envs := g.envs()
	if saltenv != "" {
		envs = []string{saltenv}
	} else if s := py.Str(g.c.Opts["state_top_saltenv"]); g.c.Opts["state_top_saltenv"] != nil && s != "" {
		envs = []string{s}
	}
	var out []envTops
	type inc struct{ env, match string }
	var includes []inc
	for _, env := range envs {
		t, err := g.renderTop(env, g.topFile())
		if err != nil {
			return nil, err
		}
		for _, s := range listOf(mustGet(t, "include")) {
			includes = append(includes, inc{env, py.Str(s)})
		}
		t.Delete("include")
		out = append(out, envTops{env, []body.Map{t}})
	}
	done := map[string]bool{}
	for _, in := range includes {
		for _, sls := range py.FnmatchFilter(g.states(in.env), in.match) {
			if done[in.env+":"+sls] {
				continue
			}
			done[in.env+":"+sls] = true
			t, err := g.renderTop(in.env, sls)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(out, func(e envTops) bool { return e.env == in.env })
			out[i].tops = append(out[i].tops, t)
		}
	}
	return out, nil
}

// renderTop renders one top file of env; a missing one is empty.
func (g *gather) renderTop(env, sls string) (body.Map, error) {
	file, text, err := g.c.Source.Fetch(g.ctx, env, sls)
	if errors.Is(err, ErrNoSLS) {
		return body.Map{}, nil
	}
	if err != nil {
		return nil, err
	}
	data, err := g.render(file, text, env, "")
	if err != nil {
		return nil, err
	}
	if !py.Truthy(data) {
		return body.Map{}, nil
	}
	m, ok := data.(body.Map)
	if !ok {
		return nil, fmt.Errorf("top file %s of %s is %s, not a dictionary", sls, env, py.TypeName(data))
	}
	return m, nil
}

// odictRepr is the repr of a rendered mapping, an OrderedDict in Salt.
func odictRepr(m body.Map) string {
	items := make([]string, len(m))
	for i, kv := range m {
		items[i] = "(" + py.Repr(kv.Key) + ", " + py.Repr(kv.Value) + ")"
	}
	return "OrderedDict([" + strings.Join(items, ", ") + "])"
}

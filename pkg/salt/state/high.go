package state

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// Where the compiler is not Salt 3006.3 (compared by hand with salt-call
// --local state.show_highstate, show_lowstate, show_top and state.sls;
// testdata/compile and testdata/top hold Salt's answers):
//
//   - A render error reads "Rendering SLS 'env:sls' failed: " as Salt's,
//     then pkg/salt/render's words (file, line, gonja's or yaml.v3's
//     message) where Salt gives Jinja2's or PyYAML's with the template
//     excerpt.
//   - master_tops, the top file's subfilter, disabled_requisites, the
//     renderer black/whitelists and an "__env__" file_roots environment
//     are not here. An include of {_xenv: sls} is the "Nonexistent
//     saltenv '_xenv'" error, as it is in Salt 3006.3 (its check of the
//     environment comes first).
//   - A top file Salt cannot merge (an environment that is not a mapping
//     of targets) is "Unable to render top file: ..." from Top as from the
//     highstate (Salt's show_top raises).
//   - A requisite's ID compared for recursion is its str(): Salt would
//     tell a requisite on the integer 1 from one on "1".

// High is Salt's high data: id → body.Map{"<state>": []any{"fun", {arg:
// val}, ...}, "__sls__": sls, "__env__": saltenv}, in the order the SLS
// files define them, with the "__extend__" and "__exclude__" lists the
// SLS files gave (Compile applies them).
type High = body.Map

// Compiler renders SLS files into high data for one minion, as Salt's
// BaseHighState does: from Source, rendered by Renderer (jinja|yaml unless
// the file's #! line says otherwise; its Caller is the minion's execution
// modules) with the minion's grains, pillar and opts.
type Compiler struct {
	Source               Source
	Renderer             *render.Renderer
	Grains, Pillar, Opts map[string]any
}

// gather is one High or Top call: the sls rendered so far ("env:sls"),
// the sls names of each environment, and the state_auto_order counter.
type gather struct {
	c      *Compiler
	ctx    context.Context
	mods   map[string]bool
	avail  map[string][]string
	iorder int64
	// envList is the Source's environments once asked (envsKnown: it
	// could list them).
	envList   []string
	envsKnown bool
}

func (c *Compiler) newGather(ctx context.Context) *gather {
	return &gather{c: c, ctx: ctx, mods: map[string]bool{}, avail: map[string][]string{}, iorder: 10000}
}

// High renders and gathers the named sls of saltenv (render_highstate of
// {saltenv: mods}): include, extend and exclude taken in, duplicate IDs
// reported. Errors are Salt's list of strings.
func (c *Compiler) High(ctx context.Context, saltenv string, mods []string) (High, []string) {
	return c.newGather(ctx).highstate([]envSLS{{saltenv, mods}})
}

// envSLS is one environment's sls names (or globs of them), in order.
type envSLS struct {
	env  string
	mods []string
}

// highstate is BaseHighState.render_highstate.
func (g *gather) highstate(matches []envSLS) (High, []string) {
	high := High{}
	var all []string
	for _, m := range matches {
		for _, match := range m.mods {
			if !g.hasEnv(m.env) {
				all = append(all, fmt.Sprintf("No matching salt environment for environment '%s' found", m.env))
			}
			files := py.FnmatchFilter(g.states(m.env), match)
			if len(files) == 0 {
				files = []string{match}
			}
			for _, sls := range files {
				if g.mods[m.env+":"+sls] {
					continue
				}
				state, errs := g.renderState(sls, m.env, matches)
				if len(state) > 0 {
					mergeIncluded(&high, state, &errs)
				}
				this := fmt.Sprintf("SLS %s in saltenv", match)
				for i, e := range errs {
					if strings.Contains(e, "is not available") && strings.Contains(e, this) {
						errs[i] = fmt.Sprintf("No matching sls found for '%s' in env '%s'", match, m.env)
					}
				}
				all = append(all, errs...)
			}
		}
	}
	cleanDuplicateExtends(high)
	return high, all
}

// states is the sls names of env, asked of the Source once.
func (g *gather) states(env string) []string {
	if names, ok := g.avail[env]; ok {
		return names
	}
	names, _ := g.c.Source.ListStates(g.ctx, env)
	g.avail[env] = names
	return names
}

// renderState is BaseHighState.render_state: one sls rendered, its
// extend, exclude and state declarations taken in, its includes rendered
// and merged after its own IDs, and state_auto_order applied.
func (g *gather) renderState(sls, env string, matches []envSLS) (body.Map, []string) {
	file, text, err := g.c.Source.Fetch(g.ctx, env, sls)
	if err != nil {
		if errors.Is(err, ErrNoSLS) {
			return nil, []string{fmt.Sprintf("Specified SLS %s in saltenv %s is not available on the salt master or through a configured fileserver", sls, env)}
		}
		return nil, []string{fmt.Sprintf("Rendering SLS %s failed, render error: %s", sls, err)}
	}
	var errs []string
	data, err := g.render(file, text, env, sls)
	if err != nil {
		errs = append(errs, fmt.Sprintf("Rendering SLS '%s:%s' failed: %s", env, sls, err))
	}
	g.mods[env+":"+sls] = true
	if !py.Truthy(data) {
		return body.Map{}, errs
	}
	state, ok := data.(body.Map)
	if !ok {
		return body.Map{}, append(errs, fmt.Sprintf("SLS %s does not render to a dictionary", sls))
	}
	var include []any
	if inc, ok := state.Get("include"); ok {
		if l, isList := inc.([]any); isList {
			include = l
			state.Delete("include")
		} else {
			errs = append(errs, fmt.Sprintf("Include Declaration in SLS %s is not formed as a list", sls))
		}
	}
	handleExtend(&state, sls, env, &errs)
	handleExclude(&state, sls, &errs)
	handleStateDecls(state, sls, env, &errs)
	isInit := strings.HasSuffix(file, "/init.sls")
	for _, entry := range include {
		g.include(&state, entry, sls, env, isInit, matches, &errs)
	}
	g.handleIorder(state)
	return state, errs
}

// render renders one sls file with its data's mappings in written order;
// a Renderer without a Loader imports from the Source.
func (g *gather) render(file string, text []byte, env, sls string) (any, error) {
	rend := render.Renderer{}
	if g.c.Renderer != nil {
		rend = *g.c.Renderer
	}
	if l, ok := g.c.Source.(interface {
		Load(saltenv, rel string) ([]byte, string, error)
	}); ok && rend.Loader == nil {
		rend.Loader = l.Load
	}
	return rend.RenderOrdered(file, text, render.Context{
		Grains: g.c.Grains, Pillar: g.c.Pillar, Opts: g.c.Opts, Saltenv: env, SLS: sls,
	})
}

// handleIorder is state_auto_order (default True): each state
// declaration without an order gets the next one from 10000 on.
func (g *gather) handleIorder(state body.Map) {
	if v, ok := g.c.Opts["state_auto_order"]; ok && !py.Truthy(v) {
		return
	}
	for _, it := range state {
		decl, ok := it.Value.(body.Map)
		if !ok {
			continue
		}
		for i, d := range decl {
			run, ok := d.Value.([]any)
			if !ok || strings.HasPrefix(d.Key, "_") || hasArg(run, "order") {
				continue
			}
			decl[i].Value = append(run, body.Map{{Key: "order", Value: g.iorder}})
			g.iorder++
		}
	}
}

// hasArg reports whether a state declaration has the argument key.
func hasArg(run []any, key string) bool {
	for _, a := range run {
		if m, ok := a.(body.Map); ok && len(m) > 0 && m[0].Key == key {
			return true
		}
	}
	return false
}

// mergeIncluded is merge_included_states: state's __extend__ and
// __exclude__ go onto high's, its IDs into high; an ID both have with
// different bodies is Salt's conflicting-ID error.
func mergeIncluded(high *body.Map, state body.Map, errs *[]string) {
	for _, key := range []string{"__extend__", "__exclude__"} {
		v, ok := state.Get(key)
		if !ok {
			continue
		}
		state.Delete(key)
		old, _ := high.Get(key)
		l, _ := old.([]any)
		add, _ := v.([]any)
		high.Set(key, append(l, add...))
	}
	for _, it := range state {
		old, ok := high.Get(it.Key)
		if ok && !pyEqual(old, it.Value) {
			om, _ := old.(body.Map)
			nm, _ := it.Value.(body.Map)
			*errs = append(*errs, fmt.Sprintf("Detected conflicting IDs, SLS IDs need to be globally unique.\n"+
				"    The conflicting ID is '%s' and is found in SLS '%s:%s' and SLS '%s:%s'",
				it.Key, getStr(om, "__env__"), getStr(om, "__sls__"), getStr(nm, "__env__"), getStr(nm, "__sls__")))
		}
		high.Set(it.Key, it.Value)
	}
}

// pyEqual is Python's == on rendered data: mappings equal whatever their
// order, lists in order.
func pyEqual(a, b any) bool {
	return reflect.DeepEqual(render.Plain(a), render.Plain(b))
}

// getStr is m[key] as a string, "" when absent.
func getStr(m body.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return py.Str(v)
}

// cleanDuplicateExtends is clean_duplicate_extends: each (id, body) of
// __extend__ once, one mapping each.
func cleanDuplicateExtends(high body.Map) {
	v, ok := high.Get("__extend__")
	if !ok {
		return
	}
	var out []any
	var seen []body.Item
	for _, ext := range listOf(v) {
		m, _ := ext.(body.Map)
		for _, it := range m {
			dup := false
			for _, s := range seen {
				if s.Key == it.Key && pyEqual(s.Value, it.Value) {
					dup = true
					break
				}
			}
			if !dup {
				seen = append(seen, it)
				out = append(out, body.Map{it})
			}
		}
	}
	high.Set("__extend__", out)
}

// listOf is v as a list; anything else is no items.
func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

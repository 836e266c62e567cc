package pillar

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// The SLS files: Pillar.render_pillar and render_pstate.

// renderPillar renders the matched SLS of each environment, in order, and
// merges them onto the override (Salt starts from a copy of it too).
func (r *run) renderPillar(matches []matchEnv, override map[string]any) (map[string]any, []string) {
	pillar := map[string]any{}
	if override != nil {
		pillar = render.Plain(override).(map[string]any)
	}
	var errs []string
	for _, m := range matches {
		mods := map[string]any{}
		for _, sls := range r.expand(m.env, m.sls, &errs) {
			state, err := r.renderPstate(sls, m.env, mods, nil)
			errs = append(errs, err...)
			if state == nil {
				continue
			}
			d, ok := state.(map[string]any)
			if !ok {
				r.log.Errorf("The rendered pillar sls file, '%s' state did not return the expected data format. This is a sign of a malformed pillar sls file.", sls)
				continue
			}
			pillar = r.merge(pillar, d)
		}
	}
	return pillar, errs
}

// expand turns the SLS names of a top file, which may be globs, into the
// names of the environment they match (a name matching none stays).
func (r *run) expand(env string, names []string, errs *[]string) []string {
	var out []string
	for _, name := range names {
		avail, ok := r.avail[env]
		if !ok {
			*errs = append(*errs, fmt.Sprintf("No matching pillar environment for environment '%s' found", env))
		}
		matched := py.FnmatchFilter(avail, name)
		if len(matched) == 0 {
			matched = []string{name}
		}
		out = append(out, matched...)
	}
	return out
}

// renderPstate is Pillar.render_pstate: one SLS rendered, its includes
// rendered and merged under it (the including file's own values last), or
// nil with the errors that say why.
func (r *run) renderPstate(sls, env string, mods map[string]any, defaults map[string]any) (any, []string) {
	file, isInit := r.state(env, sls)
	if file == "" {
		return nil, r.missing(sls, env)
	}
	var errs []string
	state, err := r.renderSLS(file, env, sls, defaults)
	if err != nil {
		r.logRenderError(fmt.Sprintf("Rendering SLS '%s' failed", sls), file, err)
		if r.safeRenderErrors() {
			errs = append(errs, fmt.Sprintf("Rendering SLS '%s' failed. Please see master log for details.", sls))
		} else {
			errs = append(errs, fmt.Sprintf("Rendering SLS '%s' failed, render error:\n%s", sls, err))
		}
	}
	mods[sls] = state
	if !py.Truthy(state) {
		return state, errs
	}
	d, ok := state.(map[string]any)
	if !ok {
		msg := fmt.Sprintf("SLS '%s' does not render to a dictionary", sls)
		r.log.Error(msg)
		return state, append(errs, msg)
	}
	inc, ok := d["include"]
	if !ok {
		return state, errs
	}
	list, ok := inc.([]any)
	if !ok {
		msg := fmt.Sprintf("Include Declaration in SLS '%s' is not formed as a list", sls)
		r.log.Error(msg)
		return state, append(errs, msg)
	}
	delete(d, "include")
	merged, incErrs := r.includes(d, list, sls, env, isInit, mods)
	return merged, append(errs, incErrs...)
}

// missing is what render_pstate says of an SLS no root has: an error when
// the environment has roots, only a debug message when it has none.
func (r *run) missing(sls, env string) []string {
	if r.ignored[env][sls] {
		r.log.Debugf("Skipping ignored and missing SLS '%s' in environment '%s'", sls, env)
		return nil
	}
	if len(r.c.o.Roots[env]) > 0 {
		msg := fmt.Sprintf("Specified SLS '%s' in environment '%s' is not available on the salt master", sls, env)
		r.log.Error(msg)
		return []string{msg}
	}
	r.log.Debugf("Specified SLS '%s' in environment '%s' was not found.", sls, env)
	return nil
}

// renderSLS reads and renders one SLS file.
func (r *run) renderSLS(file, env, sls string, defaults map[string]any) (any, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, &render.Error{File: file, Err: err}
	}
	return r.rend.Render(file, text, r.context(env, sls, defaults))
}

// logRenderError logs a render failure at error level (Salt's critical)
// with its file and line; the message carries no pillar values.
func (r *run) logRenderError(what, file string, err error) {
	line := 0
	var re *render.Error
	if errors.As(err, &re) {
		file, line = re.File, re.Line
	}
	r.log.WithField("file", file).WithField("line", line).Errorf("%s, render error:\n%s", what, err)
}

// includeName splits one include entry: a name, or {name: {defaults:
// {...}, key: "a:b"}}.
func includeName(entry any) (name string, defaults map[string]any, key string) {
	m, ok := entry.(map[string]any)
	if !ok {
		return py.Str(entry), nil, ""
	}
	for k, v := range m { // Salt takes the first; an include entry has one
		name = k
		if opts, ok := v.(map[string]any); ok {
			defaults, _ = opts["defaults"].(map[string]any)
			key, _ = opts["key"].(string)
		}
		break
	}
	return name, defaults, key
}

// includeMatches is the SLS names one include entry names: the glob of
// the name without its leading dots, then the glob of it relative to the
// including file (".x" in a/b.sls is a.x, in a/init.sls a.b.x), as Salt
// takes both.
func (r *run) includeMatches(name, sls, env string, isInit bool, errs *[]string) []string {
	avail, ok := r.avail[env]
	if !ok {
		*errs = append(*errs, fmt.Sprintf("No matching pillar environment for environment '%s' found", env))
		return []string{name}
	}
	matched := py.FnmatchFilter(avail, strings.ReplaceAll(strings.TrimLeft(name, "."), "/", "."))
	if strings.HasPrefix(name, ".") {
		parts := strings.Split(sls, ".")
		if !isInit {
			parts = parts[:len(parts)-1]
		}
		name = strings.Join(append(parts, name[1:]), ".")
	}
	matched = append(matched, py.FnmatchFilter(avail, name)...)
	if len(matched) == 0 {
		matched = []string{name}
	}
	return matched
}

// includes renders the includes of an SLS and merges them with it.
func (r *run) includes(state map[string]any, list []any, sls, env string, isInit bool, mods map[string]any) (map[string]any, []string) {
	var errs []string
	var states []map[string]any
	overrideSLS := r.includesOverrideSLS()
	for _, entry := range list {
		name, defaults, key := includeName(entry)
		for _, sub := range r.includeMatches(name, sls, env, isInit, &errs) {
			nstate, seen := mods[sub]
			if !seen {
				var err []string
				nstate, err = r.renderPstate(sub, env, mods, defaults)
				errs = append(errs, err...)
			}
			if !py.Truthy(nstate) {
				continue
			}
			if key != "" {
				parts := strings.Split(key, ":")
				for i := len(parts) - 1; i >= 0; i-- {
					nstate = map[string]any{parts[i]: nstate}
				}
			}
			d, ok := nstate.(map[string]any)
			if !ok {
				continue
			}
			if overrideSLS {
				state = r.merge(state, d)
			} else {
				states = append(states, d)
			}
		}
	}
	if overrideSLS {
		return state, errs
	}
	merged := map[string]any(nil)
	for _, s := range append(states, state) {
		if merged == nil {
			merged = s
			continue
		}
		merged = r.merge(merged, s)
	}
	return merged, errs
}

package pillar

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The top files: Pillar.get_tops, merge_tops and top_matches.

// topTarget is one target of a merged top: its match options ({"match":
// "grain"}) and its SLS names, in order.
type topTarget struct {
	tgt     string
	options []body.Map
	sls     []string
	order   int
}

// envTop is the merged top of one environment, targets in order.
type envTop struct {
	env     string
	targets []*topTarget
}

// topFile is one rendered top file and the environment it came from.
type topFile struct {
	env  string
	data any
}

// top renders the top files (get_tops) and merges them (merge_tops).
func (r *run) top() ([]*envTop, []string) {
	files, errs := r.topFiles()
	merged, err := r.mergeTops(files)
	if err != nil {
		r.log.WithError(err).Error("Error encountered while rendering pillar top file")
		return nil, append(errs, "Error encountered while rendering pillar top file.")
	}
	return merged, errs
}

// topEnvs is the environments whose top.sls is read: pillarenv alone when
// it is one of pillar_roots, else all (only saltenv's with the "none"
// strategy).
func (r *run) topEnvs() []string {
	if r.pillarenv != "" {
		if _, ok := r.c.o.Roots[r.pillarenv]; !ok {
			r.log.Debugf("pillarenv '%s' not found in the configured pillar environments", r.pillarenv)
			return nil
		}
		return []string{r.pillarenv}
	}
	envs := r.envs()
	if r.c.o.SourceMergingStrategy == "none" {
		want := r.saltenv
		if want == "" {
			want = "base"
		}
		if slices.Contains(envs, want) {
			return []string{want}
		}
		return nil
	}
	return envs
}

// topFiles renders each environment's top.sls and the top files those
// include. A top file that fails is an error of its own; the others are
// still read (Salt stops at the first failure, in an order it does not fix).
func (r *run) topFiles() ([]topFile, []string) {
	var files []topFile
	var errs []string
	type inc struct{ env, sls string }
	var includes []inc
	for _, env := range r.topEnvs() {
		p := r.find(env, "top.sls")
		if p == "" {
			continue
		}
		data, err := r.renderFile(p, env, "")
		if err != nil {
			r.logRenderError("Rendering Primary Top file failed", p, err)
			errs = append(errs, "Rendering Primary Top file failed, render error:\n"+err.Error())
			continue
		}
		if m, ok := data.(body.Map); ok {
			if list, ok := m.Get("include"); ok {
				for _, s := range listOf(list) {
					includes = append(includes, inc{env, py.Str(s)})
				}
				data = without(m, "include")
			}
		}
		files = append(files, topFile{env, data})
	}
	done := map[inc]bool{}
	for _, in := range includes {
		if done[in] {
			continue
		}
		done[in] = true
		p, _ := r.state(in.env, in.sls)
		data, err := r.renderFile(p, in.env, "")
		if err != nil {
			errs = append(errs, fmt.Sprintf("Rendering Top file %s failed, render error:\n%s", in.sls, err))
			continue
		}
		files = append(files, topFile{in.env, data})
	}
	return files, errs
}

// renderFile renders one file of env in the order it writes its mappings.
func (r *run) renderFile(p, env, sls string) (any, error) {
	if p == "" {
		return nil, errors.New("file not found")
	}
	text, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return r.rend.RenderOrdered(p, text, r.context(env, sls, nil))
}

// mergeTops is Pillar.merge_tops then sort_top_targets: for each
// environment the targets in the order first seen (a later top file's
// target replaces an earlier one's in place), then stably sorted by their
// "order" option. A top that is not a mapping of mappings is Salt's
// TypeError.
func (r *run) mergeTops(files []topFile) ([]*envTop, error) {
	var out []*envTop
	byEnv := map[string]*envTop{}
	for _, f := range files {
		m, ok := f.data.(body.Map)
		if !ok {
			return nil, fmt.Errorf("top file of %s is %s, not a mapping", f.env, py.TypeName(f.data))
		}
		for _, envItem := range m {
			if envItem.Key == "include" {
				continue
			}
			targets, ok := envItem.Value.(body.Map)
			if !ok {
				return nil, fmt.Errorf("environment %s of a top file is %s, not a mapping", envItem.Key, py.TypeName(envItem.Value))
			}
			et := byEnv[envItem.Key]
			if et == nil {
				et = &envTop{env: envItem.Key}
				byEnv[envItem.Key] = et
				out = append(out, et)
			}
			for _, t := range targets {
				r.mergeTarget(et, t)
			}
		}
	}
	for _, et := range out {
		slices.SortStableFunc(et.targets, func(a, b *topTarget) int { return a.order - b.order })
	}
	return out, nil
}

// mergeTarget puts one target of a top file into et.
func (r *run) mergeTarget(et *envTop, t body.Item) {
	nt := &topTarget{tgt: t.Key}
	ignoreMissing := false
	for _, comp := range listOf(t.Value) {
		switch x := comp.(type) {
		case body.Map:
			if _, ok := x.Get("match"); ok {
				nt.options = append(nt.options, x)
			}
			if o, ok := x.Get("order"); ok {
				nt.order = topOrder(o)
			}
			if v, ok := x.Get("ignore_missing"); ok && py.Truthy(v) {
				ignoreMissing = true
			}
		case string:
			if !slices.Contains(nt.sls, x) {
				nt.sls = append(nt.sls, x)
			}
		}
	}
	if ignoreMissing {
		if r.ignored[et.env] == nil {
			r.ignored[et.env] = map[string]bool{}
		}
		for _, s := range nt.sls {
			r.ignored[et.env][s] = true
		}
	}
	for i, old := range et.targets {
		if old.tgt == nt.tgt {
			et.targets[i] = nt
			return
		}
	}
	et.targets = append(et.targets, nt)
}

// topOrder is int(order), 0 when it is not a number.
func topOrder(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case float64:
		return int(x)
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return 0
}

// listOf is v as a list; anything else is no items.
func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// without is m less key.
func without(m body.Map, key string) body.Map {
	out := make(body.Map, 0, len(m))
	for _, it := range m {
		if it.Key != key {
			out = append(out, it)
		}
	}
	return out
}

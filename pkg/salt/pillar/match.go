package pillar

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/top"
)

// matchEnv is one environment of top_matches: its SLS names (or globs of
// them) for this minion, in order.
type matchEnv struct {
	env string
	sls []string
}

// topMatches is Pillar.top_matches: the targets of each environment (only
// pillarenv's when it is set) that match this minion, by
// confirm_top.confirm_top.
func (r *run) topMatches(top []*envTop) []matchEnv {
	var out []matchEnv
	for _, et := range top {
		if r.pillarenv != "" && et.env != r.pillarenv {
			continue
		}
		var m *matchEnv
		for _, t := range et.targets {
			if !r.confirmTop(t) {
				continue
			}
			if m == nil {
				out = append(out, matchEnv{env: et.env})
				m = &out[len(out)-1]
			}
			for _, s := range t.sls {
				if !slices.Contains(m.sls, s) {
					m.sls = append(m.sls, s)
				}
			}
		}
	}
	return out
}

// confirmTop matches one target for this minion (pkg/salt/top).
func (r *run) confirmTop(t *topTarget) bool {
	data := make([]any, len(t.options))
	for i, o := range t.options {
		data[i] = o
	}
	m := top.Matcher{ID: r.id, Grains: r.grains, Nodegroups: r.c.o.Nodegroups, Log: r.log}
	return m.Confirm(t.tgt, data)
}

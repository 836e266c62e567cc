package pillar

import (
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
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

// confirmTop matches one target with the matcher its "match" option names
// (the last one given), compound by default. A target that cannot be
// evaluated does not match, as Salt's matchers log and return False.
func (r *run) confirmTop(t *topTarget) bool {
	matcher := "compound"
	for _, o := range t.options {
		if v, ok := o.Get("match"); ok {
			matcher = py.Str(v)
		}
	}
	m := target.Matcher{ID: r.id, Grains: r.grains}
	var tgt any = t.tgt
	switch matcher {
	case "nodegroup":
		if _, ok := r.c.o.Nodegroups[t.tgt]; !ok {
			return false
		}
		tgt, matcher = strings.Join(r.nodegroupComp(t.tgt, map[string]bool{}), " "), "compound"
	case "compound":
		tgt = r.expandNodegroups(t.tgt)
	}
	ok, err := m.Match(matcher, tgt)
	if err != nil {
		r.log.WithError(err).Debugf("pillar top target %q (%s) does not match", t.tgt, matcher)
		return false
	}
	return ok
}

// expandNodegroups replaces each N@group word of a compound target by the
// group's expression, as compound_match evaluates them in place.
func (r *run) expandNodegroups(tgt string) string {
	if !strings.Contains(tgt, "N@") {
		return tgt
	}
	var words []string
	for _, w := range strings.Fields(tgt) {
		if len(w) >= 3 && strings.HasPrefix(w, "N@") {
			words = append(words, r.nodegroupComp(w[2:], map[string]bool{})...)
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// nodegroupComp is salt.utils.minions.nodegroup_comp: the words of a
// nodegroup in parentheses, nested groups expanded, a group within itself
// or unknown expanded to nothing.
func (r *run) nodegroupComp(name string, skip map[string]bool) []string {
	if skip[name] {
		r.log.Errorf("Failed nodegroup expansion: illegal nested nodegroup %q", name)
		return nil
	}
	def, ok := r.c.o.Nodegroups[name]
	if !ok {
		r.log.Errorf("Failed nodegroup expansion: unknown nodegroup %q", name)
		return nil
	}
	var words []string
	switch x := def.(type) {
	case string:
		words = strings.Fields(x)
	case []any:
		for _, w := range x {
			words = append(words, py.Str(w))
		}
		words = idList(words)
	case []string:
		words = idList(x)
	default:
		r.log.Errorf("Nodegroup '%s' (%s) is neither a string, list nor tuple", name, fmt.Sprint(def))
		return nil
	}
	skip[name] = true
	defer delete(skip, name)
	var out []string
	for _, w := range words {
		if len(w) >= 3 && strings.HasPrefix(w, "N@") {
			out = append(out, r.nodegroupComp(w[2:], skip)...)
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil
	}
	return append(append([]string{"("}, out...), ")")
}

// idList writes a nodegroup given as a plain list of minion ids as one
// L@ word, as the master's nodegroup expansion reads such a list; a list
// of compound words stays as it is.
func idList(words []string) []string {
	for _, w := range words {
		if strings.Contains(w, "@") || slices.Contains([]string{"and", "or", "not", "(", ")"}, w) {
			return words
		}
	}
	if len(words) == 0 {
		return nil
	}
	return []string{"L@" + strings.Join(words, ",")}
}

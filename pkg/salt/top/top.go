// Package top is what Salt's top files for states and for pillar share:
// which targets of a top file match a minion (confirm_top.confirm_top,
// the matcher a target's {"match": ...} option names, compound by
// default, nodegroups expanded). Reading and merging the top files stays
// with each user (pkg/salt/pillar's Pillar.merge_tops, pkg/salt/state's
// HighState.merge_tops), as Salt merges them differently.
package top

import (
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// Matcher matches top file targets for one minion.
type Matcher struct {
	ID         string
	Grains     map[string]any
	Nodegroups map[string]any // the master's nodegroups option
	Log        logrus.FieldLogger
}

// MatchOption is the matcher a target's data names: the last {"match":
// m} among it, "compound" when none does.
func MatchOption(data []any) string {
	matcher := "compound"
	for _, o := range data {
		var v any
		var ok bool
		switch m := o.(type) {
		case body.Map:
			v, ok = m.Get("match")
		case map[string]any:
			v, ok = m["match"]
		}
		if ok {
			matcher = py.Str(v)
		}
	}
	return matcher
}

// Confirm is confirm_top: whether tgt matches this minion with the
// matcher its data names. A target that cannot be evaluated does not
// match, as Salt's matchers log and return False.
func (m Matcher) Confirm(tgt string, data []any) bool {
	matcher := MatchOption(data)
	tm := target.Matcher{ID: m.ID, Grains: m.Grains}
	var expr any = tgt
	switch matcher {
	case "nodegroup":
		if _, ok := m.Nodegroups[tgt]; !ok {
			return false
		}
		expr, matcher = strings.Join(m.nodegroupComp(tgt), " "), "compound"
	case "compound":
		expr = m.expandNodegroups(tgt)
	}
	ok, err := tm.Match(matcher, expr)
	if err != nil {
		m.log().WithError(err).Debugf("top target %q (%s) does not match", tgt, matcher)
		return false
	}
	return ok
}

func (m Matcher) log() logrus.FieldLogger {
	if m.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		return l
	}
	return m.Log
}

// expandNodegroups replaces each N@group word of a compound target by the
// group's expression, as compound_match evaluates them in place.
func (m Matcher) expandNodegroups(tgt string) string {
	if !strings.Contains(tgt, "N@") {
		return tgt
	}
	var words []string
	for _, w := range strings.Fields(tgt) {
		if len(w) >= 3 && strings.HasPrefix(w, "N@") {
			words = append(words, m.nodegroupComp(w[2:])...)
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// nodegroupComp is salt.utils.minions.nodegroup_comp (target's), its
// errors logged.
func (m Matcher) nodegroupComp(name string) []string {
	return target.NodegroupComp(name, m.Nodegroups, m.log().Errorf)
}

package master

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// mineGet is RemoteFuncs._mine_get for the minion id: the functions the
// master's mine_get ACL lets it read, from the mines of the minions the
// target matches now (not greedily: a minion with no cached grains matches
// no grain target), leaving out entries whose own ACL (allow_tgt) does not
// name the asking minion. One function answers {minion: data}, several
// {function: {minion: data}}; anything refused answers {}.
func (m *Master) mineGet(id string, load body.Map) body.Map {
	ret := body.Map{}
	fun, _ := load.Get("fun")
	funs, byFun, ok := protocol.MineGetFunctions(fun)
	if !ok {
		return ret
	}
	if funs = m.mineAllowed(id, funs); len(funs) == 0 {
		return ret
	}
	tgt, _ := load.Get("tgt")
	minions := m.mineTargets(mineTgtType(load), tgt)
	allowed := map[string][]string{} // allow_tgt|type → the minions it names
	for _, minion := range minions {
		mine, err := m.readMine(minion)
		if err != nil {
			continue
		}
		for _, f := range funs {
			entry, ok := mine.Get(f)
			if !ok {
				continue
			}
			data, acl := protocol.MineEntryData(entry)
			if acl != nil && !m.mineACLAllows(acl, id, allowed) {
				continue
			}
			if !byFun {
				ret.Set(minion, data)
				continue
			}
			sub, _ := ret.Map(f)
			sub = append(sub, body.Item{Key: minion, Value: data})
			ret.Set(f, sub)
		}
	}
	return ret
}

// mineTgtType is the load's tgt_type (or the older expr_form), glob by
// default, lower-cased.
func mineTgtType(load body.Map) string {
	t, ok := load.String("tgt_type")
	if !ok {
		t, ok = load.String("expr_form")
	}
	if !ok || t == "" {
		t = "glob"
	}
	return strings.ToLower(t)
}

// mineAllowed is the master's mine_get ACL: with the option set (a
// mapping of minion-id regexps to lists of function regexps, each matched
// at the start as Python's re.match), only the functions a pattern of the
// asking minion allows; without it, all. A mine_get that is no mapping
// allows none.
func (m *Master) mineAllowed(id string, funs []string) []string {
	acl, ok := m.cfg.Raw["mine_get"]
	if !ok {
		return funs
	}
	rules, ok := acl.(map[string]any)
	if !ok {
		return nil
	}
	var perms []string
	for pattern, list := range rules {
		if l, ok := list.([]any); ok && reMatch(pattern, id) {
			for _, p := range l {
				perms = append(perms, py.Str(p))
			}
		}
	}
	var out []string
	for _, f := range funs {
		for _, p := range perms {
			if reMatch(p, f) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// reMatch is Python's re.match: pattern matches at the start of s. A
// pattern RE2 cannot express matches nothing.
func reMatch(pattern, s string) bool {
	re, err := py.CompileRegexp(pattern)
	if err != nil {
		return false
	}
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0
}

// mineTargets are the accepted minions tgt matches now, as check_minions
// with greedy=False: grain and pillar targets against the data cache only.
// Salt reads pillar targets as exact (pillar_exact); here they glob. A
// target that does not parse matches none.
func (m *Master) mineTargets(tgtType string, tgt any) []string {
	ids, err := m.accepted()
	if err != nil {
		m.log.Errorf("mine.get: %v", err)
		return nil
	}
	needData := target.NeedsGrains(tgtType, tgt) || target.NeedsPillar(tgtType, tgt)
	var out []string
	for _, id := range ids {
		mt := target.Matcher{ID: id, HasPillar: true}
		if needData {
			mt.Grains, mt.Pillar = m.cachedData(id)
		}
		if ok, err := mt.Match(tgtType, tgt); err == nil && ok {
			out = append(out, id)
		}
	}
	return out
}

// mineACLAllows reports whether an entry's minion-side ACL lets the minion
// id read it: no allow_tgt allows all; otherwise the minions allow_tgt
// names now (greedily, as Salt's check_minions default) must hold id, and
// an allow_tgt that names none hides the entry. seen caches the lists.
func (m *Master) mineACLAllows(acl body.Map, id string, seen map[string][]string) bool {
	tgt, ok := acl.Get("allow_tgt")
	if !ok || !py.Truthy(tgt) {
		return true
	}
	tgtType := "glob"
	if t, ok := acl.String("allow_tgt_type"); ok && t != "" {
		tgtType = t
	}
	key := py.Repr(tgt) + "|" + tgtType
	names, ok := seen[key]
	if !ok {
		names, _ = m.targets(tgtType, tgt, "")
		seen[key] = names
	}
	for _, n := range names {
		if n == id {
			return true
		}
	}
	return false
}

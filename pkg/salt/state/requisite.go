package state

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The statuses of a chunk's requisites, as Salt's check_requisite names
// them.
const (
	reqMet       = "met"       // run it
	reqUnmet     = "unmet"     // a requisite has not run yet (or is missing)
	reqFail      = "fail"      // a requisite failed: do not run
	reqPre       = "pre"       // its prereqs would not change: do not run
	reqOnfail    = "onfail"    // nothing it onfails failed: do not run
	reqOnchanges = "onchanges" // nothing it onchanges changed: do not run
	reqChange    = "change"    // something it watches changed: run, then mod_watch
)

// checkKinds are the requisites check_requisite weighs, in its order.
var checkKinds = []string{
	"require", "require_any", "watch", "watch_any", "prereq",
	"onfail", "onfail_any", "onfail_all", "onchanges", "onchanges_any",
}

// presentKinds are the requisites whose presence makes the check needed.
var presentKinds = append([]string{"prerequired"}, checkKinds...)

// reqGroup is the chunks one kind of requisite matched.
type reqGroup struct {
	kind   string
	chunks []*chunk
}

// matchReq is the chunks a requisite names: for `sls: pat`, those of
// every matching sls; else those whose name or ID match the pattern
// (fnmatch), of that state unless it is a bare ID. "file.managed" counts
// as "file" (Salt's trim_req).
func matchReq(chunks []*chunk, q Requisite) []*chunk {
	var out []*chunk
	for _, c := range chunks {
		if matchOne(c, q) {
			out = append(out, c)
		}
	}
	return out
}

// matchOne reports whether the requisite names chunk c.
func matchOne(c *chunk, q Requisite) bool {
	state, _, _ := strings.Cut(q.State, ".")
	if state == "sls" {
		return py.Fnmatch(c.low.SLS, q.Ref)
	}
	return (py.Fnmatch(c.low.Name, q.Ref) || py.Fnmatch(c.low.ID, q.Ref)) &&
		(state == "" || c.low.State == state)
}

// disabledReqs is opts disabled_requisites: kinds Salt ignores.
func (r *runner) disabledReqs() map[string]bool {
	out := map[string]bool{}
	v := r.o.Env.Opts["disabled_requisites"]
	if s, ok := v.(string); ok {
		out[s] = true
	}
	items, _ := py.ListItems(v)
	for _, it := range items {
		if s, ok := it.(string); ok {
			out[s] = true
		}
	}
	return out
}

// checkRequisite is Salt's check_requisite: the status of the chunk's
// requisites, and the chunks each kind matched. pre adds the chunk's
// prerequired (a chunk called in its own right, not as a prereq test).
func (r *runner) checkRequisite(c *chunk, running *results, chunks []*chunk, pre bool) (string, []reqGroup) {
	present := false
	for _, k := range presentKinds {
		present = present || c.has(k)
	}
	if !present {
		return reqMet, nil
	}
	r.reconcileDone(running)
	kinds := checkKinds
	if pre {
		kinds = append(kinds[:len(kinds):len(kinds)], "prerequired")
	}
	disabled := r.disabledReqs()
	var groups []reqGroup
	for _, kind := range kinds {
		g := reqGroup{kind: kind}
		if !disabled[kind] {
			for _, q := range c.reqs[kind] {
				m := matchReq(chunks, q)
				if len(m) == 0 {
					return reqUnmet, nil
				}
				g.chunks = append(g.chunks, m...)
			}
		}
		groups = append(groups, g)
	}
	stats := map[string]bool{}
	for _, g := range groups {
		for s := range r.kindStats(g, running) {
			stats[s] = true
		}
	}
	return reqStatusOf(stats), groups
}

// kindStats weighs the returns of one kind's chunks.
func (r *runner) kindStats(g reqGroup, running *results) map[string]bool {
	runDict := running
	isPrereq := strings.HasPrefix(g.kind, "prereq") && g.kind != "prerequired"
	if isPrereq {
		runDict = r.pre
	}
	tags := make([]string, len(g.chunks))
	for i, c := range g.chunks {
		tags[i] = c.tag
	}
	r.reconcileWait(runDict, tags)
	st := map[string]bool{}
	for _, c := range g.chunks {
		ret, ok := runDict.get(c.tag)
		if !ok {
			st["unmet"] = true
			continue
		}
		weighReturn(g.kind, isPrereq, *ret, st)
	}
	adjustAnyAll(g.kind, st)
	return st
}

// weighReturn adds what one requisite's return says, in Salt's order of
// tests.
func weighReturn(kind string, isPrereq bool, ret body.Map, st map[string]bool) {
	result, _ := ret.Get("result")
	changed := hasChanges(ret)
	if strings.HasPrefix(kind, "onfail") {
		if result == true {
			st["onfail"] = true
			return
		}
	} else if result == false {
		st["fail"] = true
		return
	}
	switch {
	case strings.HasPrefix(kind, "onchanges"):
		if changed {
			st["onchangesmet"] = true
		} else {
			st["onchanges"] = true
		}
		return
	case strings.HasPrefix(kind, "watch") && changed:
		st["change"] = true
		return
	}
	if isPrereq && result == nil {
		st["premet"] = true
	}
	if strings.HasPrefix(kind, "prereq") && result != nil {
		if isPrereq {
			st["pre"] = true
		}
		return
	}
	if ran, ok := ret.Get("__state_ran__"); !ok || ran != false {
		st["met"] = true
	}
}

// adjustAnyAll is how the _any forms and onfail (any, since 3006) let one
// good requisite outweigh the others, and onfail_all lets one success
// spoil the rest.
func adjustAnyAll(kind string, st map[string]bool) {
	if strings.HasSuffix(kind, "_any") || kind == "onfail" {
		if st["met"] || st["change"] {
			delete(st, "fail")
		}
		if st["onchangesmet"] {
			delete(st, "onchanges")
			delete(st, "fail")
		}
		if st["onfail"] && st["met"] {
			delete(st, "onfail")
		}
	}
	if strings.HasSuffix(kind, "_all") && st["onfail"] && st["met"] {
		delete(st, "met")
	}
}

// reqStatusOf is the verdict over all kinds, in Salt's precedence.
func reqStatusOf(st map[string]bool) string {
	switch {
	case st["unmet"]:
		return reqUnmet
	case st["fail"]:
		return reqFail
	case st["pre"]:
		if st["premet"] {
			return reqMet
		}
		return reqPre
	case st["onfail"] && !st["onchangesmet"]:
		return reqOnfail
	case st["onchanges"] && !st["onchangesmet"]:
		return reqOnchanges
	case st["change"]:
		return reqChange
	case st["onfail"]:
		return reqOnfail
	}
	return reqMet
}

// hasChanges is Python's bool(ret["changes"]).
func hasChanges(ret body.Map) bool {
	v, _ := ret.Get("changes")
	return py.Truthy(v)
}

package state

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// mergeTops is HighState.merge_tops by top_file_merging_strategy; an
// unknown one merges as "merge", as Salt falls back.
func (g *gather) mergeTops(tops []envTops) body.Map {
	switch py.Str(g.c.Opts["top_file_merging_strategy"]) {
	case "same":
		return g.mergeSame(tops)
	case "merge_all":
		return mergeAll(tops)
	}
	return mergeMerge(tops)
}

// setTargets copies an environment section's targets into top[env].
func setTargets(top *body.Map, env string, targets any) {
	cur := asMap(mustGet(*top, env))
	for _, t := range asMap(targets) {
		cur.Set(t.Key, t.Value)
	}
	top.Set(env, cur)
}

// mergeMerge is _merge_tops_merge: base's top files are authoritative for
// every environment they name; another environment's top file counts
// only for its own environment, and only when base's did not name it.
func mergeMerge(tops []envTops) body.Map {
	top := body.Map{}
	for _, et := range tops {
		if et.env != "base" {
			continue
		}
		for _, ctop := range et.tops {
			for _, sec := range ctop {
				if sec.Key != "include" {
					setTargets(&top, sec.Key, sec.Value)
				}
			}
		}
	}
	for _, et := range tops {
		if et.env == "base" {
			continue
		}
		for _, ctop := range et.tops {
			for _, sec := range ctop {
				if sec.Key == "include" || sec.Key != et.env || top.Has(sec.Key) {
					continue
				}
				setTargets(&top, sec.Key, sec.Value)
			}
		}
	}
	return top
}

// mergeSame is _merge_tops_same: each environment from its own top file
// only, or from default_top's section for it when it has none.
func (g *gather) mergeSame(tops []envTops) body.Map {
	top := body.Map{}
	def := py.Str(g.c.Opts["default_top"])
	if g.c.Opts["default_top"] == nil {
		def = "base"
	}
	for _, et := range tops {
		ctops := et.tops
		if allEmpty(ctops) {
			ctops = nil
			for _, o := range tops {
				if o.env == def {
					ctops = o.tops
				}
			}
		}
		for _, ctop := range ctops {
			for _, sec := range ctop {
				if sec.Key == et.env {
					setTargets(&top, sec.Key, sec.Value)
				}
			}
		}
	}
	return top
}

func allEmpty(tops []body.Map) bool {
	for _, t := range tops {
		if len(t) > 0 {
			return false
		}
	}
	return true
}

// mergeAll is _merge_tops_merge_all: every top file's sections merged, a
// target named twice getting the later match option and both sls lists.
func mergeAll(tops []envTops) body.Map {
	top := body.Map{}
	for _, et := range tops {
		for _, ctop := range et.tops {
			for _, sec := range ctop {
				if sec.Key == "include" {
					continue
				}
				cur := asMap(mustGet(top, sec.Key))
				for _, t := range asMap(sec.Value) {
					old, ok := cur.Get(t.Key)
					if !ok {
						cur.Set(t.Key, t.Value)
						continue
					}
					cur.Set(t.Key, mergeTarget(listOf(old), listOf(t.Value)))
				}
				top.Set(sec.Key, cur)
			}
		}
	}
	return top
}

// mergeTarget is merge_all's merge of one target's two lists.
func mergeTarget(a, b []any) []any {
	var match any
	var merged []any
	for _, l := range [][]any{a, b} {
		for _, x := range l {
			if _, ok := x.(body.Map); ok {
				match = x
			}
		}
	}
	if match != nil {
		merged = append(merged, match)
	}
	for _, x := range a {
		if s, ok := x.(string); ok {
			merged = append(merged, s)
		}
	}
	for _, x := range b {
		if s, ok := x.(string); ok && !containsStr(merged, s) {
			merged = append(merged, s)
		}
	}
	return merged
}

func containsStr(l []any, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

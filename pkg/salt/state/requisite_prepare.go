package state

import (
	"maps"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// chunk is a low chunk as the runtime carries it: a copy of the Low, its
// tag, its requisites by kind, and the marks Salt sets on low dicts while
// following prereqs.
type chunk struct {
	low  Low
	tag  string
	reqs map[string][]Requisite
	// prereq is Salt's __prereq__: call it with test=True, to learn
	// whether the state that prereqs it has to run first.
	prereq bool
	// prerequiredHit is Salt's __prerequired__: met as the prerequired
	// of a chunk being called.
	prerequiredHit bool
	// watched is set on the mod_watch call a watch fired: the chunks it
	// watches (Salt's __reqs__["watch"]).
	watched []*Low
}

// has reports whether the chunk has requisites of kind (Salt: the key is
// in the low dict).
func (c *chunk) has(kind string) bool {
	_, ok := c.reqs[kind]
	return ok
}

// reqLabel is how Salt writes a requisite's key: its state, or "id" for a
// bare ID.
func reqLabel(q Requisite) string {
	if q.State == "" {
		return "id"
	}
	return q.State
}

// prepareChunks copies the chunks and finishes what Salt's requisite_in
// does to high data and check_requisite to low data, so the run sees
// Salt's shapes whether or not the compiler did it already: `use` copies
// the used state's arguments, a prereq gives its target a `prerequired`,
// and a watch on a state with no mod_watch becomes a require.
func prepareChunks(lows []Low, reg Registry) []*chunk {
	chunks := make([]*chunk, len(lows))
	for i := range lows {
		l := lows[i]
		l.Args = slices.Clone(l.Args)
		c := &chunk{low: l, tag: l.Tag(), reqs: map[string][]Requisite{}}
		for _, q := range l.Reqs {
			c.reqs[q.Kind] = append(c.reqs[q.Kind], q)
		}
		chunks[i] = c
	}
	applyUse(chunks)
	addPrerequired(chunks)
	for _, c := range chunks {
		watchToRequire(c, reg)
		c.low.Reqs = flattenReqs(c.reqs, c.low.Reqs)
	}
	return chunks
}

// watchToRequire turns watch (watch_any) into require (require_any) when
// the state has no mod_watch, as Salt's check_requisite does: the order
// still holds, nothing fires.
func watchToRequire(c *chunk, reg Registry) {
	if _, ok := reg[c.low.State+".mod_watch"]; ok {
		return
	}
	for _, k := range [][2]string{{"watch", "require"}, {"watch_any", "require_any"}} {
		if w, ok := c.reqs[k[0]]; ok {
			c.reqs[k[1]] = append(c.reqs[k[1]], w...)
			delete(c.reqs, k[0])
		}
	}
}

// flattenReqs writes the requisites back onto the Low, in the order they
// came, followed by any the runtime added.
func flattenReqs(byKind map[string][]Requisite, orig []Requisite) []Requisite {
	var out []Requisite
	seen := map[string]bool{}
	for _, q := range orig {
		if !seen[q.Kind] {
			seen[q.Kind] = true
			out = append(out, byKind[q.Kind]...)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		if !seen[k] {
			out = append(out, byKind[k]...)
		}
	}
	return out
}

// findChunkNamed is Salt's find_name(strict=True) on low chunks: the chunks of
// the ID ref with that state; else, for "sls", every chunk of that sls;
// else the chunks of that state named ref. A bare ID (state "") matches
// any state.
func findChunkNamed(chunks []*chunk, q Requisite) []*chunk {
	var out []*chunk
	stateOK := func(c *chunk) bool { return q.State == "" || c.low.State == q.State }
	for _, c := range chunks {
		if c.low.ID == q.Ref && stateOK(c) {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, c := range chunks {
		switch {
		case q.State == "sls":
			if c.low.SLS == q.Ref {
				out = append(out, c)
			}
		case stateOK(c) && c.low.Name == q.Ref:
			out = append(out, c)
		}
	}
	return out
}

// useSkipped are the arguments `use` never copies (Salt's req_in_all and
// the names).
var useSkipped = map[string]bool{
	"require_in": true, "watch_in": true, "onfail_in": true, "onchanges_in": true,
	"use": true, "use_in": true, "prereq": true, "prereq_in": true,
	"require": true, "watch": true, "onfail": true, "onfail_stop": true, "onchanges": true,
	"name": true, "names": true,
}

// applyUse copies into each chunk with `use` the arguments of the states
// it uses that it does not set itself, in their order (Salt's
// requisite_in for use). Copying again adds nothing, so chunks the
// compiler already filled are left as they are.
func applyUse(chunks []*chunk) {
	for _, c := range chunks {
		for _, q := range c.reqs["use"] {
			used := findChunkNamed(chunks, q)
			if len(used) == 0 {
				continue
			}
			for _, it := range used[0].low.Args {
				if useSkipped[it.Key] || c.low.Args.Has(it.Key) {
					continue
				}
				c.low.Args = append(c.low.Args, it)
			}
		}
	}
}

// addPrerequired gives every state a prereq names a `prerequired` back to
// the state that prereqs it, as Salt's requisite_in does for prereq.
func addPrerequired(chunks []*chunk) {
	for _, c := range chunks {
		for _, q := range c.reqs["prereq"] {
			back := Requisite{Kind: "prerequired", State: c.low.State, Ref: c.low.ID}
			for _, t := range findChunkNamed(chunks, q) {
				if !slices.Contains(t.reqs["prerequired"], back) {
					t.reqs["prerequired"] = append(t.reqs["prerequired"], back)
				}
			}
		}
	}
}

// disabledRuns is the start of Salt's call_chunks: a state function that
// state.disable turned off (grain state_runs_disabled, fnmatch patterns)
// is not run but reported failed, ahead of the others.
func (r *runner) disabledRuns() *results {
	out := newResults()
	pats, _ := py.ListItems(r.o.Env.Grains["state_runs_disabled"])
	if len(pats) == 0 {
		return out
	}
	kept := r.chunks[:0:0]
	for _, c := range r.chunks {
		fun := c.low.State + "." + c.low.Fun
		pat, hit := "", false
		for _, p := range pats {
			if s, ok := p.(string); ok && py.Fnmatch(fun, s) {
				pat, hit = s, true
				break
			}
		}
		if !hit {
			kept = append(kept, c)
			continue
		}
		out.set(c.tag, &body.Map{
			{Key: "changes", Value: body.Map{}},
			{Key: "result", Value: false},
			{Key: "comment", Value: `The state function "` + fun + `" is currently disabled by "` + pat +
				`", to re-enable, run state.enable ` + pat + "."},
			{Key: "__run_num__", Value: r.nextRunNum()},
			{Key: "__sls__", Value: slsValue(c.low.SLS)},
		})
	}
	r.chunks = kept
	return out
}

// slsValue is a chunk's __sls__: None for a chunk from no sls
// (state.single).
func slsValue(sls string) any {
	if sls == "" {
		return nil
	}
	return sls
}

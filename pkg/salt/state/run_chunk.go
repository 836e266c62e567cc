package state

import (
	"context"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// lostKinds are the requisites call_chunk follows when one has not run
// yet, and names when it cannot be found, in Salt's order. Salt leaves
// onfail_all out (a chunk whose onfail_all had not run then fails with an
// error of Python's); here it is followed like the others.
var lostKinds = []string{
	"require", "require_any", "watch", "watch_any", "prereq",
	"onfail", "onfail_any", "onfail_all", "onchanges", "onchanges_any",
}

// maxDepth is how often call_chunk calls a chunk again after following
// its requisites before it calls the chunk a loop.
const maxDepth = 20

// callChunk is Salt's call_chunk: check the chunk's requisites, call
// the ones not run yet first, then call it, or record why it did not run.
func (r *runner) callChunk(ctx context.Context, c *chunk, running *results, chunks []*chunk, depth int) {
	if r.failhard || ctx.Err() != nil {
		return
	}
	if len(c.reqs["prerequired"]) == 0 {
		r.active[c.tag] = true
	}
	kinds := lostKinds
	status, groups := "", []reqGroup(nil)
	if !c.prereq {
		kinds = append(kinds[:len(kinds):len(kinds)], "prerequired")
		status, groups = r.checkRequisite(c, running, chunks, true)
	} else {
		status, groups = r.checkRequisite(c, running, chunks, false)
	}
	switch {
	case status == reqUnmet:
		if !r.chunkUnmet(ctx, c, running, chunks, depth, kinds) {
			return
		}
	case status == reqFail:
		r.chunkFail(c, running, groups)
	case status == reqChange && !c.prereq:
		r.chunkWatch(ctx, c, running, groups)
	case status == reqPre:
		ret := r.notRun(c, true, "No changes detected", false)
		running.set(c.tag, ret)
		r.pre.set(c.tag, ret)
	case status == reqOnfail:
		running.set(c.tag, r.notRun(c, true, "State was not run because onfail req did not change", true))
	case status == reqOnchanges:
		running.set(c.tag, r.notRun(c, true, "State was not run because none of the onchanges reqs changed", true))
	default:
		r.callInto(ctx, c, running)
	}
	if ret, ok := running.get(c.tag); ok {
		r.event(ret, c, len(chunks))
	}
}

// callInto calls the chunk and keeps its return: in pre for a prereq test
// run, else in running.
func (r *runner) callInto(ctx context.Context, c *chunk, running *results) {
	if c.prereq {
		r.pre.set(c.tag, r.call(ctx, c, running, 1))
		return
	}
	running.set(c.tag, r.call(ctx, c, running, 1))
}

// notRun is the return of a chunk its requisites kept from running, in
// the order Salt builds it; stateRan false marks it __state_ran__ False
// (onfail, onchanges).
func (r *runner) notRun(c *chunk, result bool, comment string, notRan bool) *body.Map {
	start, dur := r.fakeTiming()
	ret := body.Map{
		{Key: "changes", Value: body.Map{}},
		{Key: "result", Value: result},
		{Key: "duration", Value: dur},
		{Key: "start_time", Value: start},
		{Key: "comment", Value: comment},
	}
	if notRan {
		ret = append(ret, body.Item{Key: "__state_ran__", Value: false})
	}
	ret = append(ret, body.Item{Key: "__run_num__", Value: r.nextRunNum()})
	stampIdentity(&ret, c)
	return &ret
}

// stampIdentity sets a return's __sls__, __id__ and name, as Salt's loops
// over those three keys do.
func stampIdentity(ret *body.Map, c *chunk) {
	ret.Set("__sls__", slsValue(c.low.SLS))
	ret.Set("__id__", c.low.ID)
	ret.Set("name", c.low.Name)
}

// chunkUnmet follows requisites that have not run: a requisite that
// names nothing fails the chunk ("The following requisites were not
// found"); the others are called first, then the chunk is checked again.
// It reports whether callChunk is to fire the chunk's event, as Salt does
// when it gets to the end of call_chunk.
func (r *runner) chunkUnmet(ctx context.Context, c *chunk, running *results, chunks []*chunk, depth int, kinds []string) bool {
	reqs, lost := markRequisites(c, chunks, kinds)
	if lost != "" {
		ret := r.notRun(c, false, "The following requisites were not found:\n"+lost, false)
		if c.prereq {
			r.pre.set(c.tag, ret)
		} else {
			running.set(c.tag, ret)
		}
		r.event(ret, c, len(chunks))
		return false
	}
	var last *chunk
	for _, t := range reqs {
		last = t
		if _, done := running.get(t.tag); done {
			continue
		}
		if r.active[t.tag] {
			r.activeAgain(ctx, c, t, running, len(chunks))
			return false
		}
		r.callChunk(ctx, t, running, chunks, 0)
		if r.checkFailhard(t, running) {
			r.failhard = true
			return false
		}
	}
	if c.prereq {
		status, _ := r.checkRequisite(c, running, chunks, false)
		ret := r.call(ctx, c, running, 1)
		if !hasChanges(*ret) && status == reqChange {
			ret.Set("changes", body.Map{{Key: "watch", Value: "watch"}})
			ret.Set("result", nil)
		}
		r.pre.set(c.tag, ret)
	} else if depth+1 >= maxDepth {
		running.set(c.tag, r.recursive(c, r.runNum))
	} else {
		r.callChunk(ctx, c, running, chunks, depth+1)
	}
	if r.checkFailhard(last, running) {
		r.failhard = true
		return false
	}
	return true
}

// markRequisites finds the chunks c's requisites name, marking prereq
// targets for a test run and prerequired ones as met, and writes Salt's
// list of the requisites that name nothing.
func markRequisites(c *chunk, chunks []*chunk, kinds []string) ([]*chunk, string) {
	var reqs []*chunk
	var lost strings.Builder
	for _, kind := range kinds {
		var missing []Requisite
		for _, q := range c.reqs[kind] {
			found := false
			for _, t := range chunks {
				if !matchOne(t, q) {
					continue
				}
				switch {
				case kind == "prereq":
					t.prereq = true
				case kind == "prerequired" && q.State != "sls":
					t.prerequiredHit = true
				}
				reqs = append(reqs, t)
				found = true
			}
			if !found {
				missing = append(missing, q)
			}
		}
		if len(missing) > 0 {
			lost.WriteString(strings.Repeat(" ", 19) + kind + ":\n")
			for _, q := range missing {
				lost.WriteString(strings.Repeat(" ", 23) + reqLabel(q) + ": " + q.Ref + "\n")
			}
		}
	}
	return reqs, lost.String()
}

// activeAgain is a requisite met again while it is being called: a
// prerequired one makes c a prereq test run; anything else is a loop.
func (r *runner) activeAgain(ctx context.Context, c, t *chunk, running *results, chunks int) {
	if t.prerequiredHit {
		if _, ok := r.pre.get(c.tag); !ok {
			c.prereq = true
			// Salt keeps this test run under the requisite's tag.
			r.pre.set(t.tag, r.call(ctx, c, running, 1))
		}
		return
	}
	ret := r.recursive(c, r.nextRunNum())
	running.set(c.tag, ret)
	r.event(ret, c, chunks)
}

// recursive is Salt's return for a requisite loop.
func (r *runner) recursive(c *chunk, runNum int) *body.Map {
	ret := body.Map{
		{Key: "changes", Value: body.Map{}},
		{Key: "result", Value: false},
		{Key: "comment", Value: "Recursive requisite found"},
		{Key: "__run_num__", Value: runNum},
	}
	stampIdentity(&ret, c)
	return &ret
}

// chunkFail records a chunk a failed requisite kept from running: with
// the test run's return when a prereq failed, else "One or more
// requisite failed: sls.id, ...".
func (r *runner) chunkFail(c *chunk, running *results, groups []reqGroup) {
	if ret, ok := r.pre.get(c.tag); ok {
		if hasChanges(*ret) {
			ret.Set("changes", body.Map{})
		}
		running.set(c.tag, ret)
		ret.Set("__run_num__", r.nextRunNum())
		stampIdentity(ret, c)
		return
	}
	var failed []string
	seen := map[string]bool{}
	for _, g := range groups {
		for _, t := range g.chunks {
			ret, ok := r.pre.get(t.tag)
			if !ok {
				ret, ok = running.get(t.tag)
			}
			if !ok {
				continue
			}
			if res, _ := ret.Get("result"); res == false {
				key := t.low.SLS + "." + t.low.ID
				if !seen[key] {
					seen[key] = true
					failed = append(failed, key)
				}
			}
		}
	}
	ret := r.notRun(c, false, "One or more requisite failed: "+strings.Join(failed, ", "), false)
	running.set(c.tag, ret)
	r.pre.set(c.tag, ret)
}

// chunkWatch calls a chunk something it watches changed: when the call
// itself changed nothing (and unless/onlyif/creates did not skip it),
// its state's mod_watch is called too, and that is its return.
func (r *runner) chunkWatch(ctx context.Context, c *chunk, running *results, groups []reqGroup) {
	ret := r.call(ctx, c, running, 1)
	if sw, _ := ret.Get("skip_watch"); !hasChanges(*ret) && sw != true {
		ret = r.call(ctx, modWatchChunk(c, groups), running, 1)
	}
	running.set(c.tag, ret)
}

// modWatchChunk is the chunk as mod_watch is called for it: function
// mod_watch, the original one as its sfun argument.
func modWatchChunk(c *chunk, groups []reqGroup) *chunk {
	mw := *c
	mw.low.Args = append(append(body.Map(nil), c.low.Args...), body.Item{Key: "sfun", Value: c.low.Fun})
	mw.low.Fun = "mod_watch"
	mw.watched = []*Low{}
	for _, g := range groups {
		if g.kind == "watch" {
			for _, t := range g.chunks {
				mw.watched = append(mw.watched, &t.low)
			}
		}
	}
	return &mw
}

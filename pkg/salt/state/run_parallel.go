package state

import (
	"context"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// proc is a state running beside the run (parallel: True): Salt's
// process, here a goroutine, which hands back the state's return.
type proc struct {
	done chan body.Map
}

// parallel reports whether the chunk runs beside the others.
func parallel(c *chunk) bool {
	v, _ := c.low.Args.Get("parallel")
	return py.Truthy(v)
}

// startParallel is Salt's call_parallel: the state function runs in its
// own goroutine (with its retries); the run goes on holding Salt's
// "Started in a separate process" return until the state is reconciled.
func (r *runner) startParallel(ctx context.Context, c *chunk, fn Func, test bool) *body.Map {
	ret := &body.Map{
		{Key: "name", Value: c.low.Name},
		{Key: "result", Value: nil},
		{Key: "changes", Value: body.Map{}},
		{Key: "comment", Value: "Started in a separate process"},
	}
	// Salt files the return under the tag of the low it was called with:
	// a parallel mod_watch's is never the one the run reads back.
	p := &proc{done: make(chan body.Map, 1)}
	tag := c.low.Tag()
	r.procs[tag] = append(r.procs[tag], p)
	low := c.low
	low.Args = append(body.Map(nil), c.low.Args...)
	call := &Call{Low: &low, Test: test, Env: r.o.Env}
	go func() { p.done <- r.parallelTarget(ctx, fn, call) }()
	return ret
}

// parallelTarget is Salt's _call_parallel_target: the state timed on its
// own, marked __parallel__, retried in a loop (Salt's loop, which differs
// from the serial retry: the comment of each new attempt is added).
func (r *runner) parallelTarget(ctx context.Context, fn Func, call *Call) body.Map {
	start := r.clock.Now()
	ret := invoke(ctx, fn, call)
	ret.Set("start_time", startTime(start))
	ret.Set("duration", durationMS(r.clock.Now().Sub(start)))
	ret.Set("__parallel__", true)
	v, ok := call.Low.Args.Get("retry")
	if !ok {
		return *ret
	}
	spec := verifyRetry(v)
	if call.Test {
		ret.Set("comment", joinComment("  ", retryGet(*ret, "comment"), spec.wouldRetry()))
		return *ret
	}
	for retries := int64(1); spec.attempts >= retries; retries++ {
		if res, _ := ret.Get("result"); res == spec.until {
			break
		}
		interval := spec.pause()
		r.sleep(ctx, time.Duration(interval)*time.Second)
		again := invoke(ctx, fn, call)
		again.Set("duration", 0.0)
		orig := ret
		ret = again
		comment := ""
		if py.Truthy(retryGet(*ret, "comment")) {
			comment = attemptComment(int(retries), *ret)
		}
		ret.Set("comment", py.Str(retryGet(*orig, "comment"))+"\n"+comment)
		ret.Set("duration", floatOf(retryGet(*ret, "duration"))+floatOf(retryGet(*orig, "duration"))+float64(interval*1000))
		if retries == 1 {
			ret.Set("start_time", retryGet(*orig, "start_time"))
		}
	}
	return *ret
}

// reconcileDone folds in the parallel states that have finished, without
// waiting (Salt's reconcile_procs once).
func (r *runner) reconcileDone(running *results) {
	for tag, ps := range r.procs {
		ret, ok := running.get(tag)
		if !ok {
			continue
		}
		var left []*proc
		for _, p := range ps {
			select {
			case out := <-p.done:
				update(ret, out)
			default:
				left = append(left, p)
			}
		}
		r.setProcs(tag, left)
	}
}

// reconcileWait waits for the parallel states among tags that rd holds
// (a requisite on a parallel state waits for it to finish).
func (r *runner) reconcileWait(rd *results, tags []string) {
	for _, tag := range tags {
		ret, ok := rd.get(tag)
		if !ok {
			continue
		}
		for _, p := range r.procs[tag] {
			update(ret, <-p.done)
		}
		r.setProcs(tag, nil)
	}
}

// reconcileAll waits for every parallel state of the run; a return filed
// under a tag the run does not hold is dropped, as Salt leaves it.
func (r *runner) reconcileAll(running *results) {
	for tag, ps := range r.procs {
		ret, ok := running.get(tag)
		for _, p := range ps {
			out := <-p.done
			if ok {
				update(ret, out)
			}
		}
		delete(r.procs, tag)
	}
}

func (r *runner) setProcs(tag string, ps []*proc) {
	if len(ps) == 0 {
		delete(r.procs, tag)
		return
	}
	r.procs[tag] = ps
}

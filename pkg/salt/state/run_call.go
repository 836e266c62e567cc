package state

import (
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// call is Salt's State.call: one state function called for one chunk,
// after its unless/onlyif/creates, with check_cmd and retry, its return
// stamped with __sls__, __run_num__, start_time, duration and __id__ (a
// prereq test run is returned bare). retries counts the attempts so far.
func (r *runner) call(ctx context.Context, c *chunk, running *results, retries int) *body.Map {
	start := r.clock.Now()
	fn, errs := r.verify(c)
	if errs != "" {
		return &body.Map{
			{Key: "result", Value: false},
			{Key: "name", Value: c.low.Name},
			{Key: "changes", Value: body.Map{}},
			{Key: "comment", Value: errs},
			{Key: "__run_num__", Value: r.nextRunNum()},
		}
	}
	test := r.o.Test || c.prereq
	ret := r.invokeChecked(ctx, c, fn, test, running)
	if c.prereq {
		c.prereq = false
		return ret
	}
	ret.Set("__sls__", slsValue(c.low.SLS))
	ret.Set("__run_num__", r.nextRunNum())
	end := r.clock.Now()
	ret.Set("start_time", startTime(start))
	ret.Set("duration", durationMS(end.Sub(start)))
	ret.Set("__id__", c.low.ID)
	if c.low.Args.Has("retry") && !c.low.Args.Has("parallel") {
		ret = r.retry(ctx, c, running, retries, ret)
	}
	return ret
}

// invokeChecked runs the chunk's unless/onlyif/creates, then the state
// function unless they said not to (in its own goroutine when parallel),
// then check_cmd. An error on the way is Salt's "An exception occurred in
// this state" return.
func (r *runner) invokeChecked(ctx context.Context, c *chunk, fn Func, test bool, running *results) *body.Map {
	ret := &body.Map{{Key: "result", Value: false}, {Key: "name", Value: c.low.Name}, {Key: "changes", Value: body.Map{}}}
	_, ownCheck := r.o.Registry[c.low.State+".mod_run_check"]
	if !ownCheck && hasAnyArg(c.low.Args, "unless", "onlyif", "creates") {
		chk, err := r.runCheck(ctx, c)
		if err != nil {
			return exceptionRet(c.low.Name, err)
		}
		update(ret, chk)
	}
	if res, ok := ret.Get("result"); !ok || res == false {
		if parallel(c) && !c.prereq {
			ret = r.startParallel(ctx, c, fn, test)
		} else {
			ret = invoke(ctx, fn, r.callOf(c, test, running))
		}
	}
	_, ownCheckCmd := r.o.Registry[c.low.State+".mod_run_check_cmd"]
	if !ownCheckCmd && c.low.Args.Has("check_cmd") {
		chk, err := r.runCheckCmd(ctx, c)
		if err != nil {
			return exceptionRet(c.low.Name, err)
		}
		update(ret, chk)
	}
	return ret
}

// callOf is the Call a state function gets; a mod_watch fired by watch
// also sees what it watches and the returns so far.
func (r *runner) callOf(c *chunk, test bool, running *results) *Call {
	call := &Call{Low: &c.low, Test: test, Env: r.o.Env}
	if c.watched != nil {
		call.Watched = c.watched
		call.Running = running.Map()
	}
	return call
}

// verify is the part of Salt's verify_data a low chunk can still fail:
// its state function must exist.
func (r *runner) verify(c *chunk) (Func, string) {
	full := c.low.State + "." + c.low.Fun
	if fn, ok := r.o.Registry[full]; ok && fn != nil {
		return fn, ""
	}
	if c.low.SLS == "" {
		return nil, fmt.Sprintf("Specified state '%s' was not found\n", full)
	}
	return nil, fmt.Sprintf("State '%s' was not found in SLS '%s'\nReason: '%s' is not available.\n", full, c.low.SLS, full)
}

// invoke calls a state function; a panic is the state's failure, as an
// exception in a Salt state is.
func invoke(ctx context.Context, fn Func, call *Call) (ret *body.Map) {
	defer func() {
		if p := recover(); p != nil {
			ret = exceptionRet(call.Low.Name, fmt.Errorf("%v", p))
		}
	}()
	return retMap(fn(ctx, call), call.Low.Name)
}

// retMap is a state function's Ret as Salt's ret dict: name, changes,
// result and comment in the order the function gives (else that order),
// then its extra keys.
func retMap(rt Ret, name string) *body.Map {
	if rt.Name == "" {
		rt.Name = name
	}
	changes := rt.Changes
	if changes == nil {
		changes = body.Map{}
	}
	var result any
	if rt.Result != nil {
		result = *rt.Result
	}
	var retName any = rt.Name
	if rt.NameList != nil { // module.run's new syntax: the functions it called
		retName = rt.NameList
	}
	vals := map[string]any{"name": retName, "changes": changes, "result": result, "comment": rt.Comment}
	order := rt.Order
	if len(order) == 0 {
		order = defaultRetOrder
	}
	m := make(body.Map, 0, 4+len(rt.Extra))
	for _, k := range order {
		if v, ok := vals[k]; ok && !m.Has(k) {
			m = append(m, body.Item{Key: k, Value: v})
		}
	}
	for _, k := range defaultRetOrder {
		if !m.Has(k) {
			m = append(m, body.Item{Key: k, Value: vals[k]})
		}
	}
	if len(rt.Warnings) > 0 {
		warnings := make([]any, len(rt.Warnings))
		for i, w := range rt.Warnings {
			warnings[i] = w
		}
		m.Set("warnings", warnings)
	}
	for _, it := range rt.Extra {
		m.Set(it.Key, it.Value)
	}
	return &m
}

// defaultRetOrder is how most of Salt's state functions build their
// return.
var defaultRetOrder = []string{"name", "changes", "result", "comment"}

// exceptionRet is Salt's return for a state that raised.
func exceptionRet(name string, err error) *body.Map {
	return &body.Map{
		{Key: "result", Value: false},
		{Key: "name", Value: name},
		{Key: "changes", Value: body.Map{}},
		{Key: "comment", Value: "An exception occurred in this state: " + err.Error()},
	}
}

// update is dict.update: keys already present keep their place.
func update(dst *body.Map, src body.Map) {
	for _, it := range src {
		dst.Set(it.Key, it.Value)
	}
}

func hasAnyArg(args body.Map, keys ...string) bool {
	for _, k := range keys {
		if args.Has(k) {
			return true
		}
	}
	return false
}

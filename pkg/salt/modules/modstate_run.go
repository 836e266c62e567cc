package modules

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// runState makes one call into the state system once no other state run
// is under way (or refuses, as Salt does), and turns the reply into what
// Salt's state module returns, setting the retcode as _set_retcode does:
// 1 for errors (a list), 2 when a state failed, 5 when the pillar did not
// render.
func (c *Call) runState(a stateArgs, req StateRequest) (any, error) {
	conflict, release := c.enterStateRun(a)
	if conflict != nil {
		return conflict, nil
	}
	defer release()
	reply, err := c.exec.opts.States.Run(c.Ctx, req)
	if err != nil {
		return nil, err
	}
	show := req.Op == OpShowSLS || req.Op == OpShowTop || req.Op == OpShowHighstate || req.Op == OpShowLowstate
	if len(reply.PillarErrors) > 0 {
		c.SetRetcode(exPillarFailure)
		if show {
			return nil, cmdErr("Pillar failed to render")
		}
		return stringList(append([]string{"Pillar failed to render with the following messages:"}, reply.PillarErrors...)), nil
	}
	if len(reply.Errors) > 0 {
		if req.Op != OpShowLowstate { // compile_low_chunks' errors come back with retcode 0
			c.SetRetcode(exStateCompilerError)
		}
		return stringList(reply.Errors), nil
	}
	switch req.Op {
	case OpShowSLS, OpShowTop, OpShowLowstate:
		return reply.Return, nil
	case OpShowHighstate:
		c.setStateRetcode(reply.Return, nil)
		return reply.Return, nil
	}
	ret := reply.Return
	if (req.Op == OpSLS || req.Op == OpHighstate) && py.Truthy(a.get("terse")) {
		ret = filterRunning(ret)
	}
	c.setStateRetcode(ret, reply.High)
	if m, _ := py.DictItems(ret); req.Op == OpSLSID && len(m) == 0 {
		return nil, invocationErr("No matches for ID '%s' found in SLS '%s' within saltenv '%s'", req.ID, py.Str(c.Arg("mods")), req.Saltenv)
	}
	return ret, nil
}

func stringList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// setStateRetcode is _set_retcode: 0, or 2 when check_result finds a
// failed state.
func (c *Call) setStateRetcode(ret any, high body.Map) {
	c.SetRetcode(0)
	if !checkResult(ret, false, high) {
		c.SetRetcode(exStateFailure)
	}
}

// filterRunning is _filter_running (terse=True): the states that
// succeeded without changes left out.
func filterRunning(ret any) any {
	m, ok := py.DictItems(ret)
	if !ok {
		return ret
	}
	out := body.Map{}
	for _, it := range m {
		st, _ := py.DictItems(it.Value)
		result, _ := st.Get("result")
		changes, _ := st.Get("changes")
		if !py.Truthy(result) || py.Truthy(changes) {
			out = append(out, it)
		}
	}
	return out
}

// checkResult is salt.utils.state.check_result: false for a return that
// is not a non-empty dict, or that holds a state whose result is False,
// unless the states that onfail on it with onfail_stop: False all
// succeeded (check_onfail_requisites).
func checkResult(running any, recurse bool, high body.Map) bool {
	m, ok := py.DictItems(running)
	if !ok || len(m) == 0 {
		return false
	}
	ret := true
	for _, it := range m {
		sub, isDict := py.DictItems(it.Value)
		_, isList := py.ListItems(it.Value)
		if !recurse && !(isDict && it.Key != "__extend__" || isList && it.Key == "__extend__") {
			ret = false
		}
		if ret && isDict {
			result, has := sub.Get("result")
			if has && result == false {
				ret = false
			} else if !has {
				ret = checkResult(sub, true, high)
			}
		}
		if !ret {
			ret = onfailHandled(it.Key, it.Value, m, high)
		}
		if !ret {
			break
		}
	}
	return ret
}

// jidToTime is salt.utils.jid.jid_to_time: "2026, Dec 07 04:51:02.123456"
// for a jid of 20 digits, "" for anything else.
func jidToTime(jid string) string {
	if len(jid) != 20 && (len(jid) <= 21 || jid[20] != '_') {
		return ""
	}
	months := []string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	var month int
	if _, err := fmt.Sscanf(jid[4:6], "%d", &month); err != nil || month < 1 || month > 12 {
		return ""
	}
	return fmt.Sprintf("%s, %s %s %s:%s:%s.%s", jid[:4], months[month], jid[6:8], jid[8:10], jid[10:12], jid[12:14], jid[14:20])
}

// StateRuns keeps a minion's state runs one at a time, across its job
// processes when each job runs in a process of its own: the minion holds
// the one queue (Executor.StateRuns) and its job processes reach it through
// Options.StateRuns.
type StateRuns interface {
	// Enter registers run as _check_queue lets it start: with queue=True
	// once the runs under way have ended; with queue=N waiting when fewer
	// than N are under way; otherwise, unless concurrent, refused while
	// one is (refused lists running()'s sentences, and is non-nil). err is
	// why a waiting run was not started (ctx ended).
	Enter(ctx context.Context, run StateRun, queue any, concurrent bool) (refused []any, err error)
	// Leave ends the run registered under key.
	Leave(key string)
	// Running is running(): a sentence for each run under way but own's.
	Running(own string) []any
}

// StateRun is one state run under way: Key registers it (the jid, or a
// key of its own for a local call), Fun, Jid (as shown) and Pid describe it
// in running()'s sentences.
type StateRun struct {
	Key, Fun, Jid string
	Pid           int
}

// stateRuns is the queue the state module uses: the minion's through
// Options.StateRuns, or the Executor's own.
func (e *Executor) StateRuns() StateRuns {
	if e.opts.StateRuns != nil {
		return e.opts.StateRuns
	}
	return &e.stateRuns
}

// enterStateRun is _check_queue, then the run registered, by the queue of
// StateRuns; a refusal sets retcode 1. The release function ends the run.
func (c *Call) enterStateRun(a stateArgs) (conflict []any, release func()) {
	q := c.exec.StateRuns()
	run := StateRun{Key: c.Pub.Jid, Fun: c.Pub.Fun, Jid: c.Pub.Jid, Pid: os.Getpid()}
	if run.Key == "" {
		run.Key = fmt.Sprintf("local-%d-%p", os.Getpid(), c)
	}
	refused, err := q.Enter(c.Ctx, run, a.get("queue"), py.Truthy(a.get("concurrent")))
	if err != nil {
		return []any{fmt.Sprintf("The state run was not started: %v", err)}, nil
	}
	if refused != nil {
		c.SetRetcode(exStateCompilerError)
		return refused, nil
	}
	return nil, func() { q.Leave(run.Key) }
}

// stateQueue is the queue of one process: a minion's, or an Executor's
// of its own. Its zero value is ready.
type stateQueue struct {
	mu      sync.Mutex
	runs    map[string]StateRun // by key
	changed chan struct{}       // closed and replaced when a run ends
}

// Enter is StateRuns.Enter.
func (q *stateQueue) Enter(ctx context.Context, run StateRun, queue any, concurrent bool) ([]any, error) {
	wait := queue == true
	if n, err := py.Int(queue); err == nil && queue != nil && queue != false && queue != true {
		wait = n == 0 || q.count() < int(n)
	}
	if wait {
		return nil, q.wait(ctx, run)
	}
	if !q.tryEnter(run, concurrent) {
		return q.Running(run.Key), nil
	}
	return nil, nil
}

func (q *stateQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.runs)
}

// tryEnter registers the run when no other is under way (or when it is
// concurrent), and reports whether it did.
func (q *stateQueue) tryEnter(run StateRun, concurrent bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.runs) > 0 && !concurrent {
		return false
	}
	q.enterLocked(run)
	return true
}

func (q *stateQueue) enterLocked(run StateRun) {
	if q.runs == nil {
		q.runs = map[string]StateRun{}
	}
	q.runs[run.Key] = run
}

// wait registers the run once no other is under way, or returns ctx's
// error.
func (q *stateQueue) wait(ctx context.Context, run StateRun) error {
	for {
		q.mu.Lock()
		if len(q.runs) == 0 {
			q.enterLocked(run)
			q.mu.Unlock()
			return nil
		}
		if q.changed == nil {
			q.changed = make(chan struct{})
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Leave is StateRuns.Leave.
func (q *stateQueue) Leave(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.runs, key)
	if q.changed != nil {
		close(q.changed)
		q.changed = nil
	}
}

// Running is StateRuns.Running: by key, each run's function, the pid of
// the process that runs it, and its jid.
func (q *stateQueue) Running(own string) []any {
	q.mu.Lock()
	defer q.mu.Unlock()
	keys := make([]string, 0, len(q.runs))
	for key := range q.runs {
		if key != own {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	out := []any{}
	for _, key := range keys {
		run := q.runs[key]
		out = append(out, fmt.Sprintf("The function \"%s\" is running as PID %d and was started at %s with jid %s",
			run.Fun, run.Pid, jidToTime(run.Jid), run.Jid))
	}
	return out
}

package state

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The runtime's tests register state functions of their own: these
// mirror Salt 3006's salt/states/test.py (and a cmd.wait/cmd.run whose
// changes are those of cmd.run), so a run can be compared with what real
// Salt returned for the same states.

func boolp(b bool) *bool { return &b }

var pretendChange = body.Map{{Key: "testing", Value: body.Map{
	{Key: "old", Value: "Unchanged"}, {Key: "new", Value: "Something pretended to change"},
}}}

func argOr(c *Call, key string, def any) any {
	if v, ok := c.Low.Args.Get(key); ok {
		return v
	}
	return def
}

func succeedWithout(_ context.Context, c *Call) Ret {
	return Ret{Name: c.Low.Name, Result: boolp(true), Comment: py.Str(argOr(c, "comment", "Success!"))}
}

func succeedWith(_ context.Context, c *Call) Ret {
	return withChanges(c, true, "Success!", "If we weren't testing, this would be successful with changes")
}

// withChanges is test.succeed_with_changes and test.fail_with_changes.
func withChanges(c *Call, result bool, comment, testComment string) Ret {
	r := Ret{Name: c.Low.Name, Result: boolp(result), Comment: py.Str(argOr(c, "comment", comment)), Changes: pretendChange}
	if c.Test {
		r.Result, r.Comment = nil, testComment
	}
	return r
}

func failWithout(_ context.Context, c *Call) Ret {
	r := Ret{Name: c.Low.Name, Result: boolp(false), Comment: py.Str(argOr(c, "comment", "Failure!"))}
	if c.Test {
		r.Comment = "If we weren't testing, this would be a failure!"
	}
	return r
}

func failWith(_ context.Context, c *Call) Ret {
	return withChanges(c, false, "Failure!", "If we weren't testing, this would be failed with changes")
}

func configurable(_ context.Context, c *Call) Ret {
	r := Ret{Name: c.Low.Name, Comment: py.Str(argOr(c, "comment", ""))}
	changes := argOr(c, "changes", true)
	if changes == true {
		r.Changes = pretendChange
	}
	res, _ := argOr(c, "result", true).(bool)
	r.Result = boolp(res)
	if c.Test {
		r.Result = nil
		if changes == false {
			r.Result = boolp(true)
		}
		if r.Comment == "" {
			r.Comment = "This is a test"
		}
	}
	return r
}

// testModWatch is test.mod_watch: it lists the watched states that
// changed.
func testModWatch(_ context.Context, c *Call) Ret {
	changed := []any{}
	for _, w := range c.Watched {
		if ret, ok := c.Running.Map(w.Tag()); ok && hasChanges(ret) {
			changed = append(changed, w.State+": "+w.ID)
		}
	}
	res, _ := argOr(c, "result", true).(bool)
	return Ret{Name: c.Low.Name, Result: boolp(res), Comment: py.Str(argOr(c, "comment", "Watch statement fired.")),
		Changes: body.Map{{Key: "Requisites with changes", Value: changed}},
		Order:   []string{"name", "result", "comment", "changes"}}
}

// cmdRun pretends to run its command: Salt's cmd.run changes, pid 0.
func cmdRun(_ context.Context, c *Call) Ret {
	if c.Test {
		return Ret{Name: c.Low.Name, Changes: body.Map{{Key: "cmd", Value: c.Low.Name}},
			Comment: fmt.Sprintf("Command %q would have been executed", c.Low.Name)}
	}
	return Ret{Name: c.Low.Name, Result: boolp(true), Comment: fmt.Sprintf("Command %q run", c.Low.Name),
		Changes: body.Map{{Key: "pid", Value: int64(0)}, {Key: "retcode", Value: int64(0)},
			{Key: "stdout", Value: lastWord(c.Low.Name)}, {Key: "stderr", Value: ""}}}
}

// cmdWait is Salt 3006's cmd.wait: nothing, until a watch calls
// cmd.mod_watch.
func cmdWait(_ context.Context, c *Call) Ret {
	return Ret{Name: c.Low.Name, Result: boolp(true)}
}

func lastWord(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			return s[i+1:]
		}
	}
	return s
}

// fakeRegistry is the state functions the runtime's tests use.
func fakeRegistry() Registry {
	return Registry{
		"test.succeed_without_changes": succeedWithout,
		"test.succeed_with_changes":    succeedWith,
		"test.fail_without_changes":    failWithout,
		"test.fail_with_changes":       failWith,
		"test.nop":                     succeedWithout,
		"test.configurable_test_state": configurable,
		"test.mod_watch":               testModWatch,
		"cmd.run":                      cmdRun,
		"cmd.wait":                     cmdWait,
		"cmd.mod_watch":                cmdRun,
	}
}

// shellCaller is a Modules caller whose cmd.retcode knows the commands
// "true" (0) and "false" (1), and records every call.
type shellCaller struct {
	mu    sync.Mutex
	calls []string
	kw    []map[string]any
	funcs map[string]any // other functions' returns by name
}

func (s *shellCaller) call(fun string, args []any, kwargs map[string]any) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprint(fun, args))
	s.kw = append(s.kw, kwargs)
	if fun != "cmd.retcode" {
		if v, ok := s.funcs[fun]; ok {
			return v, nil
		}
		switch fun {
		case "test.true":
			return true, nil
		case "test.false":
			return false, nil
		}
		return nil, fmt.Errorf("'%s' is not available.", fun)
	}
	switch args[0] {
	case "true":
		return int64(0), nil
	case "false":
		return int64(1), nil
	}
	return nil, fmt.Errorf("unknown command %v", args[0])
}

// lo builds a low chunk: name from args["name"] else the ID.
func lo(sls, id, stateFun string, args body.Map, reqs ...Requisite) Low {
	state, fun := stateFun, ""
	for i := range stateFun {
		if stateFun[i] == '.' {
			state, fun = stateFun[:i], stateFun[i+1:]
			break
		}
	}
	name := id
	if n, ok := args.String("name"); ok {
		name = n
		args = append(body.Map(nil), args...)
		args.Delete("name")
	}
	return Low{State: state, Fun: fun, ID: id, Name: name, SLS: sls, Env: "base", Args: args, Reqs: reqs}
}

// rq builds requisites of one kind: "test:b" or a bare "b".
func rq(kind string, refs ...string) []Requisite {
	var out []Requisite
	for _, ref := range refs {
		q := Requisite{Kind: kind, Ref: ref}
		for i := range ref {
			if ref[i] == ':' {
				q.State, q.Ref = ref[:i], ref[i+1:]
				break
			}
		}
		out = append(out, q)
	}
	return out
}

func reqs(groups ...[]Requisite) []Requisite {
	var out []Requisite
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// instantClock is a clock whose timers fire at once, moving its time on
// by what they waited: retry intervals pass without waiting.
type instantClock struct {
	mu     sync.Mutex
	now    time.Time
	waited []time.Duration
}

func newInstantClock() *instantClock { return &instantClock{now: clock.Epoch} }

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waited = append(c.waited, d)
	t := firedTimer{c: make(chan time.Time, 1)}
	t.c <- c.now
	return t
}

type firedTimer struct{ c chan time.Time }

func (t firedTimer) C() <-chan time.Time        { return t.c }
func (t firedTimer) Stop() bool                 { return false }
func (t firedTimer) Reset(d time.Duration) bool { return false }

// runWith runs chunks with the fake registry, an instant clock and a
// shell caller.
func runWith(chunks []Low, test bool) (body.Map, *shellCaller) {
	sh := &shellCaller{}
	out := Run(context.Background(), chunks, RunOptions{
		Test: test, Registry: fakeRegistry(), Env: &Env{Modules: sh.call}, Clock: newInstantClock(),
	})
	return out, sh
}

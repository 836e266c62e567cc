package state

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func retOf(t *testing.T, res body.Map, tag string) body.Map {
	t.Helper()
	ret, ok := res.Map(tag)
	if !ok {
		t.Fatalf("no return for %s in %v", tag, res.Keys())
	}
	return ret
}

func TestCheckCommandsGetSaltsCmdRetcodeArguments(t *testing.T) {
	sh := &shellCaller{}
	chunks := []Low{
		lo("s", "a", "test.nop", body.Map{
			{Key: "onlyif", Value: "true"}, {Key: "cwd", Value: "/tmp"}, {Key: "runas", Value: "nobody"},
			{Key: "cmd_opts_exclude", Value: "runas"},
		}),
	}
	Run(context.Background(), chunks, RunOptions{Registry: fakeRegistry(),
		Env: &Env{Modules: sh.call, Grains: map[string]any{"shell": "/bin/bash"}}, Clock: newInstantClock()})
	if len(sh.calls) != 1 || sh.calls[0] != "cmd.retcode[true]" {
		t.Fatalf("calls = %v", sh.calls)
	}
	want := map[string]any{"ignore_retcode": true, "python_shell": true, "cwd": "/tmp", "shell": "/bin/bash"}
	if !reflect.DeepEqual(sh.kw[0], want) {
		t.Fatalf("kwargs = %v, want %v", sh.kw[0], want)
	}
}

func TestUnlessCommandThatCannotRunSkipsAndOnlyifFails(t *testing.T) {
	chunks := []Low{
		lo("s", "a", "test.nop", body.Map{{Key: "unless", Value: "no-such-command"}}),
		lo("s", "b", "test.nop", body.Map{{Key: "onlyif", Value: "no-such-command"}}),
		lo("s", "c", "test.nop", body.Map{{Key: "creates", Value: []any{"/etc/passwd", "/no/such/file"}}}),
	}
	res, _ := runWith(chunks, false)
	if c, _ := retOf(t, res, "test_|-a_|-a_|-nop").String("comment"); c != "unless condition is true" {
		t.Errorf("unless that cannot run: %q", c)
	}
	if c, _ := retOf(t, res, "test_|-b_|-b_|-nop").String("comment"); c != "onlyif condition is false" {
		t.Errorf("onlyif that cannot run: %q", c)
	}
	if c, _ := retOf(t, res, "test_|-c_|-c_|-nop").String("comment"); c != "Success!" {
		t.Errorf("creates with a missing file must run the state: %q", c)
	}
}

func TestSerialRetrySleepsItsIntervalsOnTheClock(t *testing.T) {
	clk := newInstantClock()
	chunks := []Low{lo("s", "rt", "test.fail_without_changes", body.Map{{Key: "retry", Value: body.Map{
		{Key: "attempts", Value: int64(3)}, {Key: "interval", Value: int64(5)}}}})}
	res := Run(context.Background(), chunks, RunOptions{Registry: fakeRegistry(), Env: &Env{}, Clock: clk})
	if !reflect.DeepEqual(clk.waited, []time.Duration{5 * time.Second, 5 * time.Second}) {
		t.Fatalf("waited %v, want two intervals of 5s", clk.waited)
	}
	ret := retOf(t, res, "test_|-rt_|-rt_|-fail_without_changes")
	if d, _ := ret.Get("duration"); d != 10000.0 {
		t.Errorf("duration = %v, want the two intervals, 10000.0", d)
	}
	if s, _ := ret.String("start_time"); s != startTime(clockEpochLocal()) {
		t.Errorf("start_time = %q, want the first attempt's", s)
	}
	if n, _ := ret.Int("__run_num__"); n != 2 {
		t.Errorf("__run_num__ = %d, want 2 (each attempt is a call)", n)
	}
}

func clockEpochLocal() time.Time { return newInstantClock().Now() }

func TestStartTimeAndDurationAsPython(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if s := startTime(at); s != "03:04:05" {
		t.Errorf("whole second: %q", s)
	}
	if s := startTime(at.Add(1500 * time.Nanosecond)); s != "03:04:05.000001" {
		t.Errorf("microseconds: %q", s)
	}
	if d := durationMS(1234567 * time.Microsecond); d != 1234.567 {
		t.Errorf("duration = %v", d)
	}
}

func TestRunLeavesTheChunksAsTheyWere(t *testing.T) {
	chunks := []Low{
		lo("s", "ua", "test.configurable_test_state", body.Map{{Key: "changes", Value: false}}),
		lo("s", "ub", "test.configurable_test_state", nil, rq("use", "test:ua")...),
		lo("s", "g", "cmd.wait", body.Map{{Key: "name", Value: "echo hi"}}, rq("watch", "test:ua")...),
	}
	before := make([]Low, len(chunks))
	for i, c := range chunks {
		before[i] = c
		before[i].Args = slices.Clone(c.Args)
		before[i].Reqs = slices.Clone(c.Reqs)
	}
	runWith(chunks, false)
	if !reflect.DeepEqual(before, chunks) {
		t.Fatalf("chunks changed:\n%#v\nwas\n%#v", chunks, before)
	}
}

func TestUseKeepsTheStatesOwnArguments(t *testing.T) {
	chunks := []Low{
		lo("s", "ua", "test.configurable_test_state", body.Map{{Key: "changes", Value: false}, {Key: "comment", Value: "ua"},
			{Key: "onlyif", Value: "true"}}),
		lo("s", "ub", "test.configurable_test_state", body.Map{{Key: "comment", Value: "mine"}}, rq("use", "test:ua")...),
	}
	cs := prepareChunks(chunks, fakeRegistry())
	want := body.Map{{Key: "comment", Value: "mine"}, {Key: "changes", Value: false}, {Key: "onlyif", Value: "true"}}
	if !reflect.DeepEqual(cs[1].low.Args, want) {
		t.Fatalf("ub args = %v, want %v", cs[1].low.Args, want)
	}
}

func TestPrerequiredIsAddedOnceAndWatchWithoutModWatchIsRequire(t *testing.T) {
	chunks := []Low{
		lo("s", "a", "test.nop", nil, rq("prereq", "test:b")...),
		lo("s", "b", "test.nop", nil, reqs(rq("prerequired", "test:a"), rq("watch", "test:a"))...),
	}
	reg := fakeRegistry()
	delete(reg, "test.mod_watch")
	cs := prepareChunks(chunks, reg)
	if got := cs[1].reqs["prerequired"]; len(got) != 1 {
		t.Errorf("prerequired = %v, want the one the compiler gave", got)
	}
	if cs[1].has("watch") || len(cs[1].reqs["require"]) != 1 {
		t.Errorf("watch with no mod_watch: reqs = %v", cs[1].reqs)
	}
}

func TestModWatchGetsSfunWhatItWatchesAndTheReturnsSoFar(t *testing.T) {
	var got *Call
	reg := fakeRegistry()
	reg["cmd.mod_watch"] = func(ctx context.Context, c *Call) Ret {
		got = c
		return cmdRun(ctx, c)
	}
	chunks := []Low{
		lo("s", "a", "test.succeed_with_changes", nil),
		lo("s", "b", "test.succeed_without_changes", nil),
		lo("s", "g", "cmd.wait", body.Map{{Key: "name", Value: "echo hi"}}, rq("watch", "test:a", "test:b")...),
	}
	res := Run(context.Background(), chunks, RunOptions{Registry: reg, Env: &Env{}, Clock: newInstantClock()})
	if got == nil {
		t.Fatal("cmd.mod_watch was not called")
	}
	if got.Low.Fun != "mod_watch" || got.Low.ID != "g" {
		t.Errorf("low = %+v", got.Low)
	}
	if s, _ := got.Low.Args.String("sfun"); s != "wait" {
		t.Errorf("sfun = %q", s)
	}
	if len(got.Watched) != 2 || got.Watched[0].ID != "a" || got.Watched[1].ID != "b" {
		t.Errorf("watched = %v", got.Watched)
	}
	if !got.Running.Has("test_|-a_|-a_|-succeed_with_changes") {
		t.Errorf("running = %v", got.Running.Keys())
	}
	ret := retOf(t, res, "cmd_|-g_|-echo hi_|-wait")
	if n, _ := ret.Int("__run_num__"); n != 3 {
		t.Errorf("__run_num__ = %d, want 3 (cmd.wait took 2)", n)
	}
}

// TestParallelStatesRunTogether: each parallel state waits for the other
// to have started, so the run only ends if they really run at once; a
// state requiring one of them sees its final return.
func TestParallelStatesRunTogether(t *testing.T) {
	started := map[string]chan struct{}{"p1": make(chan struct{}), "p2": make(chan struct{})}
	other := map[string]string{"p1": "p2", "p2": "p1"}
	reg := fakeRegistry()
	reg["test.both"] = func(ctx context.Context, c *Call) Ret {
		close(started[c.Low.ID])
		select {
		case <-started[other[c.Low.ID]]:
		case <-time.After(30 * time.Second):
			return Ret{Name: c.Low.Name, Result: boolp(false), Comment: "ran alone"}
		}
		return Ret{Name: c.Low.Name, Result: boolp(true), Comment: "together"}
	}
	reg["test.after"] = func(ctx context.Context, c *Call) Ret {
		return Ret{Name: c.Low.Name, Result: boolp(true)}
	}
	par := body.Map{{Key: "parallel", Value: true}}
	chunks := []Low{
		lo("s", "p1", "test.both", par),
		lo("s", "p2", "test.both", par),
		lo("s", "n", "test.after", nil, rq("require", "test:p1")...),
	}
	res := Run(context.Background(), chunks, RunOptions{Registry: reg, Env: &Env{}, Clock: newInstantClock()})
	for _, tag := range []string{"test_|-p1_|-p1_|-both", "test_|-p2_|-p2_|-both"} {
		ret := retOf(t, res, tag)
		if c, _ := ret.String("comment"); c != "together" {
			t.Errorf("%s: %q", tag, c)
		}
		if p, _ := ret.Get("__parallel__"); p != true {
			t.Errorf("%s: no __parallel__", tag)
		}
	}
	if r, _ := retOf(t, res, "test_|-n_|-n_|-after").Get("result"); r != true {
		t.Errorf("the state requiring p1 did not run: %v", r)
	}
}

func TestCancelledContextStopsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	reg := fakeRegistry()
	reg["test.cancel"] = func(context.Context, *Call) Ret { cancel(); return Ret{Result: boolp(true)} }
	chunks := []Low{lo("s", "a", "test.cancel", nil), lo("s", "b", "test.nop", nil)}
	res := Run(ctx, chunks, RunOptions{Registry: reg, Env: &Env{}})
	if !reflect.DeepEqual(res.Keys(), []string{"test_|-a_|-a_|-cancel"}) {
		t.Fatalf("ran %v", res.Keys())
	}
}

func TestStateRunsDisabledAndDisabledRequisites(t *testing.T) {
	chunks := []Low{
		lo("s", "a", "test.fail_without_changes", nil),
		lo("s", "b", "test.nop", nil, rq("require", "test:a")...),
		lo("s", "c", "test.succeed_with_changes", nil),
	}
	env := &Env{Grains: map[string]any{"state_runs_disabled": []any{"test.succeed_*"}},
		Opts: map[string]any{"disabled_requisites": "require"}}
	res := Run(context.Background(), chunks, RunOptions{Registry: fakeRegistry(), Env: env, Clock: newInstantClock()})
	if keys := res.Keys(); keys[0] != "test_|-c_|-c_|-succeed_with_changes" {
		t.Fatalf("a disabled state comes first: %v", keys)
	}
	c, _ := retOf(t, res, "test_|-c_|-c_|-succeed_with_changes").String("comment")
	if c != `The state function "test.succeed_with_changes" is currently disabled by "test.succeed_*", to re-enable, run state.enable test.succeed_*.` {
		t.Errorf("comment = %q", c)
	}
	if r, _ := retOf(t, res, "test_|-b_|-b_|-nop").Get("result"); r != true {
		t.Errorf("a disabled require must not hold b back: %v", r)
	}
}

func TestPanickingStateIsAnException(t *testing.T) {
	reg := fakeRegistry()
	reg["test.boom"] = func(context.Context, *Call) Ret { panic("boom") }
	res := Run(context.Background(), []Low{lo("", "a", "test.boom", nil), lo("", "b", "test.nosuch", nil)},
		RunOptions{Registry: reg, Env: &Env{}})
	ret := retOf(t, res, "test_|-a_|-a_|-boom")
	if c, _ := ret.String("comment"); c != "An exception occurred in this state: boom" {
		t.Errorf("comment = %q", c)
	}
	if s, _ := ret.Get("__sls__"); s != nil {
		t.Errorf("__sls__ of a state.single = %v, want None", s)
	}
	if c, _ := retOf(t, res, "test_|-b_|-b_|-nosuch").String("comment"); c != "Specified state 'test.nosuch' was not found\n" {
		t.Errorf("missing function: %q", c)
	}
}

func TestTestModeNeverFailsHardAndSaysItWouldRetry(t *testing.T) {
	chunks := []Low{
		lo("s", "a", "test.fail_without_changes", body.Map{{Key: "failhard", Value: true}, {Key: "retry", Value: true}}),
		lo("s", "b", "test.nop", nil),
	}
	res, _ := runWith(chunks, true)
	if len(res) != 2 {
		t.Fatalf("test=True stopped at a failure: %v", res.Keys())
	}
	c, _ := retOf(t, res, "test_|-a_|-a_|-fail_without_changes").String("comment")
	if !strings.HasSuffix(c, "  The state would be retried every 30 seconds (with a splay of up to 0 seconds) a maximum of 2 times or until a result of True is returned") {
		t.Errorf("comment = %q", c)
	}
}

func TestRecursiveRequisiteAtRuntime(t *testing.T) {
	chunks := []Low{
		lo("s", "a", "test.nop", nil, rq("require", "test:b")...),
		lo("s", "b", "test.nop", nil, rq("require", "test:a")...),
	}
	res, _ := runWith(chunks, false)
	c, _ := retOf(t, res, "test_|-b_|-b_|-nop").String("comment")
	if c != "Recursive requisite found" {
		t.Errorf("b: %q", c)
	}
}

// TestEventsWhereSaltFiresThem: a return is told as Salt's State.event
// is called, a state pulled in by a requisite first; the state that
// pulled it in is told twice (by the inner call_chunk and the outer),
// as in Salt. fire_event is handed on.
func TestEventsWhereSaltFiresThem(t *testing.T) {
	type ev struct {
		id     string
		chunks int
		fire   any
	}
	var got []ev
	chunks := []Low{
		lo("s", "a", "test.nop", body.Map{{Key: "fire_event", Value: true}}),
		lo("s", "b", "test.nop", nil, rq("require", "test:c")...),
		lo("s", "c", "test.nop", nil),
		lo("s", "d", "test.nop", nil, rq("require", "test:nosuch")...),
	}
	Run(context.Background(), chunks, RunOptions{Registry: fakeRegistry(), Env: &Env{}, Clock: newInstantClock(),
		Event: func(ret body.Map, n int, fire any) {
			id, _ := ret.String("__id__")
			got = append(got, ev{id, n, fire})
		}})
	want := []ev{{"a", 4, true}, {"c", 4, nil}, {"b", 4, nil}, {"b", 4, nil}, {"d", 4, nil}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

package modules

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// fakeStates records the requests and answers with reply; a non-nil gate
// holds every run until it is closed.
type fakeStates struct {
	mu      sync.Mutex
	reqs    []StateRequest
	reply   StateReply
	gate    chan struct{}
	entered chan struct{}
}

func (f *fakeStates) Run(ctx context.Context, req StateRequest) (StateReply, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return StateReply{}, ctx.Err()
		}
	}
	return f.reply, nil
}

func (f *fakeStates) last(t *testing.T) StateRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("the state system was not called")
	}
	return f.reqs[len(f.reqs)-1]
}

func stateRet(id string, result any, changes body.Map) body.Item {
	return body.Item{Key: "cmd_|-" + id + "_|-" + id + "_|-run", Value: body.Map{
		{Key: "name", Value: id}, {Key: "changes", Value: changes}, {Key: "result", Value: result},
		{Key: "comment", Value: ""}, {Key: "__sls__", Value: "web"}, {Key: "__run_num__", Value: 0},
		{Key: "__id__", Value: id},
	}}
}

func stateExecutor(f *fakeStates, pillar map[string]any) *Executor {
	return New(Options{States: f, Pillar: func() map[string]any { return pillar }})
}

func TestStateApplyPicksHighstateOrSLS(t *testing.T) {
	f := &fakeStates{reply: StateReply{Return: body.Map{stateRet("a", true, body.Map{})}}}
	e := stateExecutor(f, nil)
	r := run(e, "state.apply")
	if r.Retcode != 0 || !r.Success || r.Out != "highstate" {
		t.Fatalf("apply: %+v", r)
	}
	if req := f.last(t); req.Op != OpHighstate || req.Mods != nil || req.Saltenv != "" || req.Test || req.Jid != "20261122034501123456" {
		t.Errorf("highstate request %+v", req)
	}
	run(e, "state.apply", "web, db", "test=True", "saltenv=dev", kw("pillar", body.Map{{Key: "k", Value: "v"}}))
	req := f.last(t)
	if req.Op != OpSLS || !reflect.DeepEqual(req.Mods, []string{"web", "db"}) || req.Saltenv != "dev" || !req.Test || req.Pillar == nil {
		t.Errorf("sls request %+v", req)
	}
	run(e, "state.sls", "web")
	if req := f.last(t); req.Saltenv != "base" || req.Test {
		t.Errorf("sls saltenv default: %+v", req)
	}
	run(e, "state.test", "web")
	if req := f.last(t); req.Op != OpSLS || !req.Test {
		t.Errorf("state.test: %+v", req)
	}
	run(e, "state.highstate", "exclude=web")
	if req := f.last(t); req.Op != OpHighstate || !reflect.DeepEqual(req.Exclude, []any{"web"}) {
		t.Errorf("highstate exclude: %+v", req)
	}
	// test: True in the pillar makes every run a dry run (config.get).
	e = stateExecutor(f, map[string]any{"test": true})
	run(e, "state.apply", "web")
	if req := f.last(t); !req.Test {
		t.Errorf("pillar test: %+v", req)
	}
	run(e, "state.apply", "web", "test=False")
	if req := f.last(t); req.Test {
		t.Errorf("test=False over the pillar: %+v", req)
	}
}

func TestStateRetcodes(t *testing.T) {
	f := &fakeStates{}
	e := stateExecutor(f, nil)
	f.reply = StateReply{Return: body.Map{stateRet("a", true, nil), stateRet("b", false, nil)}}
	if r := run(e, "state.sls", "web"); r.Retcode != 2 || r.Success || r.Out != "highstate" {
		t.Errorf("failed state: %+v", r)
	}
	f.reply = StateReply{Return: body.Map{stateRet("a", nil, nil)}} // test=True: None is not a failure
	if r := run(e, "state.sls", "web"); r.Retcode != 0 {
		t.Errorf("None result: %+v", r)
	}
	f.reply = StateReply{Return: body.Map{}} // nothing ran: check_result is False
	if r := run(e, "state.highstate"); r.Retcode != 2 {
		t.Errorf("empty run: %+v", r)
	}
	f.reply = StateReply{Errors: []string{"Specified SLS nope in saltenv base is not available on the salt master or through a configured fileserver"}}
	r := run(e, "state.apply", "nope")
	if r.Retcode != 1 || !reflect.DeepEqual(r.Return, []any{f.reply.Errors[0]}) || r.Out != "highstate" {
		t.Errorf("compile errors: %+v", r)
	}
	f.reply = StateReply{PillarErrors: []string{"bad pillar"}}
	r = run(e, "state.apply")
	if r.Retcode != 5 || !reflect.DeepEqual(r.Return, []any{"Pillar failed to render with the following messages:", "bad pillar"}) {
		t.Errorf("pillar errors: %+v", r)
	}
	if r := run(e, "state.show_top"); r.Retcode != 1 || r.Return != "ERROR: Pillar failed to render" {
		t.Errorf("show_top pillar errors: %+v", r)
	}
	r = run(e, "state.sls", "web", "pillar=notadict")
	wantError(t, r, "ERROR executing 'state.sls': Pillar data must be formatted as a dictionary, unless pillar_enc is specified.")
	// show_lowstate returns compile errors with retcode 0, show_sls with 1.
	f.reply = StateReply{Errors: []string{"boom"}}
	if r := run(e, "state.show_lowstate"); r.Retcode != 0 || !reflect.DeepEqual(r.Return, []any{"boom"}) || r.Out != "" {
		t.Errorf("show_lowstate errors: %+v", r)
	}
	if r := run(e, "state.show_sls", "web"); r.Retcode != 1 {
		t.Errorf("show_sls errors: %+v", r)
	}
	f.reply = StateReply{Return: body.Map{}}
	if r := run(e, "state.show_highstate"); r.Retcode != 2 {
		t.Errorf("empty show_highstate: %+v", r)
	}
}

func TestStateTerseAndSLSID(t *testing.T) {
	f := &fakeStates{reply: StateReply{Return: body.Map{stateRet("a", true, body.Map{}), stateRet("b", true, body.Map{{Key: "x", Value: 1}})}}}
	e := stateExecutor(f, nil)
	r := run(e, "state.sls", "web", "terse=True")
	if m := r.Return.(body.Map); len(m) != 1 || m[0].Key != "cmd_|-b_|-b_|-run" {
		t.Errorf("terse: %v", r.Return)
	}
	f.reply = StateReply{Return: body.Map{}}
	r = run(e, "state.sls_id", "nope", "web")
	wantError(t, r, "ERROR executing 'state.sls_id': No matches for ID 'nope' found in SLS 'web' within saltenv 'base'")
	if req := f.last(t); req.Op != OpSLSID || req.ID != "nope" || !reflect.DeepEqual(req.Mods, []string{"web"}) {
		t.Errorf("sls_id request %+v", req)
	}
}

func TestStateSingle(t *testing.T) {
	f := &fakeStates{reply: StateReply{Return: body.Map{stateRet("x", true, nil)}}}
	e := stateExecutor(f, nil)
	if r := run(e, "state.single", "nodot", "x"); r.Retcode != 1 || r.Return != "Invalid function passed" {
		t.Errorf("invalid: %+v", r)
	}
	run(e, "state.single", "cmd.run", "name=echo hi", "cwd=/tmp")
	req := f.last(t)
	if req.Op != OpSingle || req.Fun != "cmd.run" || req.Name != "echo hi" || !reflect.DeepEqual(req.Kwargs, body.Map{{Key: "cwd", Value: "/tmp"}}) {
		t.Errorf("single request %+v", req)
	}
}

// A second state run is refused while one is under way, with Salt's
// sentence and retcode 1; state.running lists the run; queue=True waits
// for it instead; concurrent=True runs alongside.
func TestStateOneRunAtATime(t *testing.T) {
	f := &fakeStates{reply: StateReply{Return: body.Map{stateRet("a", true, nil)}}, gate: make(chan struct{}), entered: make(chan struct{}, 4)}
	e := stateExecutor(f, nil)
	first := make(chan Result, 1)
	pub := Pub{Fun: "state.apply", Jid: "20261207045102123456", Tgt: "*", TgtType: "glob", User: "root"}
	go func() { first <- e.Run(context.Background(), "state.apply", nil, pub) }()
	waitEntered(t, f)

	want := regexp.MustCompile(`^The function "state\.apply" is running as PID \d+ and was started at 2026, Dec 07 04:51:02\.123456 with jid 20261207045102123456$`)
	r := run(e, "state.sls", "web")
	list, ok := r.Return.([]any)
	if !ok || len(list) != 1 || !want.MatchString(fmt.Sprint(list[0])) || r.Retcode != 1 || r.Out != "highstate" {
		t.Fatalf("refusal: %+v", r)
	}
	r = run(e, "state.running")
	if list, ok := r.Return.([]any); !ok || len(list) != 1 || !want.MatchString(fmt.Sprint(list[0])) {
		t.Errorf("state.running: %+v", r)
	}
	if r := e.Run(context.Background(), "state.running", nil, pub); len(r.Return.([]any)) != 0 {
		t.Errorf("a run lists itself: %+v", r)
	}
	concurrent := make(chan Result, 1)
	go func() { concurrent <- run(e, "state.sls", "web", "concurrent=True") }()
	waitEntered(t, f) // it started alongside the first
	queued := make(chan Result, 1)
	go func() { queued <- run(e, "state.sls", "web", "queue=True") }()
	select {
	case <-f.entered:
		t.Fatal("a queued run started while another was under way")
	case <-time.After(50 * time.Millisecond):
	}
	close(f.gate)
	if r := <-first; r.Retcode != 0 {
		t.Errorf("first run: %+v", r)
	}
	if r := <-concurrent; r.Retcode != 0 {
		t.Errorf("concurrent run: %+v", r)
	}
	select {
	case r := <-queued:
		if r.Retcode != 0 || r.Out != "highstate" {
			t.Errorf("queued run: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the queued run did not run")
	}
	if r := run(e, "state.running"); len(r.Return.([]any)) != 0 {
		t.Errorf("runs left over: %+v", r.Return)
	}
}

func waitEntered(t *testing.T, f *fakeStates) {
	t.Helper()
	select {
	case <-f.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not start")
	}
}

func TestCheckResultOnfailStop(t *testing.T) {
	running := body.Map{stateRet("bad", false, nil), stateRet("fix", true, nil)}
	high := body.Map{
		{Key: "bad", Value: body.Map{{Key: "cmd", Value: []any{"run"}}}},
		{Key: "fix", Value: body.Map{{Key: "cmd", Value: []any{"run",
			body.Map{{Key: "onfail", Value: []any{body.Map{{Key: "cmd", Value: "bad"}}}}},
			body.Map{{Key: "onfail_stop", Value: false}}}}}},
	}
	if !checkResult(running, false, high) {
		t.Error("a failure handled by an onfail_stop: False state failed the run")
	}
	if checkResult(running, false, nil) {
		t.Error("a failure without high data passed")
	}
	running[1] = stateRet("fix", false, nil)
	if checkResult(running, false, high) {
		t.Error("a failed handler passed")
	}
}

func TestJidToTime(t *testing.T) {
	for jid, want := range map[string]string{"20261207045102123456": "2026, Dec 07 04:51:02.123456", "req": "", "20261207045102123456_1": "2026, Dec 07 04:51:02.123456"} {
		if got := jidToTime(jid); got != want {
			t.Errorf("jidToTime(%q) = %q, want %q", jid, got, want)
		}
	}
}

package minion

import (
	"context"
	"io"
	"net"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// fakeFallback is a Python fallback with one function, hello.world.
type fakeFallback struct {
	mu   sync.Mutex
	pubs []modules.Pub
}

func (f *fakeFallback) Functions(context.Context) []string { return []string{"hello.world"} }

func (f *fakeFallback) Call(_ context.Context, fun string, args []any, pub modules.Pub) (modules.Result, bool) {
	if fun != "hello.world" {
		return modules.Result{}, false
	}
	f.mu.Lock()
	f.pubs = append(f.pubs, pub)
	f.mu.Unlock()
	return modules.Result{Return: body.Map{{Key: "hello", Value: args}}, Success: true, Out: "nested"}, true
}

// withFallback gives the minion a fallback instead of the Python worker.
func withFallback(f modules.Fallback) Option { return func(o *options) { o.fallback = f } }

// A function the minion does not have runs in the Python fallback, which
// lives in the minion: a job process reaches it with the job's publish.
func TestFallbackFromAJobProcess(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	fb := &fakeFallback{}
	e.start("127.0.0.1:0", withFallback(fb))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "hello.world", "x"))
	ret := loadOf(t, fm.waitReturn(jid))
	if got, _ := field(t, ret, "return").(body.Map); !reflect.DeepEqual(got, body.Map{{Key: "hello", Value: []any{"x"}}}) ||
		field(t, ret, "success") != true {
		t.Fatalf("hello.world returned %v", ret)
	}
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if len(fb.pubs) != 1 || fb.pubs[0].Jid != jid || fb.pubs[0].Fun != "hello.world" {
		t.Errorf("the fallback got the publishes %+v", fb.pubs)
	}
}

// Every hook of a job process answers from the minion's own: the master's
// and the pillar's requests, the running jobs, the pillar refresh, the
// grains refresh, the Python fallback, and the state queue, whose runs a
// process that ends without leaving them leaves.
func TestJobProcessCallsReachTheMinion(t *testing.T) {
	parent, child := socketPair(t)
	log := logrus.New()
	log.SetOutput(io.Discard)
	fr := &fakeRequester{pillar: body.Map{{Key: "role", Value: "db"}}}
	fb := &fakeFallback{}
	m := &Minion{cfg: &config.Minion{}, log: log, id: "m1",
		jobs: newJobTable(t.TempDir()), pillar: &pillarStore{req: fr}, modules: modules.New(modules.Options{})}
	m.grains.store(map[string]any{"os": "Debian"})
	m.hooks = jobHooks{req: fr, pillarReq: fr, fallback: fb, refreshGrains: func(context.Context) error {
		m.grains.store(map[string]any{"os": "Debian", "new": true})
		return nil
	}}
	m.jobs.begin("1", map[string]any{"jid": "1", "pid": 42})
	p := &jobProcess{m: m, jid: "2", conn: newJobConn(parent), states: map[string]bool{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	go func() {
		for {
			frame, err := readFrame(parent)
			if err != nil {
				return
			}
			go p.answer(frame)
		}
	}()
	conn := newJobConn(child)
	go readReplies(conn)
	cm := &Minion{cfg: &config.Minion{}, log: log, pillar: &pillarStore{}}
	cm.jobCtx, cm.jobCancel = context.WithCancel(context.Background())
	defer cm.jobCancel()
	jc := &jobClient{conn: conn, m: cm}
	ctx := context.Background()

	if ret, err := jc.Request(ctx, body.Map{{Key: "cmd", Value: "_mine"}}); err != nil || !reflect.DeepEqual(ret, fr.pillar) {
		t.Errorf("request: %v, %v", ret, err)
	}
	if _, err := (jobRequester{jc, callPillarRequest}).Request(ctx, body.Map{{Key: "cmd", Value: "_pillar"}}); err != nil || fr.count() != 2 {
		t.Errorf("pillar request: %v; %d requests", err, fr.count())
	}
	if recs := jc.Running(); len(recs) != 1 || recs[0]["jid"] != "1" || recs[0]["pid"] != int64(42) {
		t.Errorf("running: %v", recs)
	}
	if err := jc.refreshPillar(ctx); err != nil || cm.pillar.get()["role"] != "db" || m.pillar.get()["role"] != "db" {
		t.Errorf("refresh_pillar: %v; the job's pillar %v", err, cm.pillar.get())
	}
	if err := jc.refreshGrains(ctx); err != nil || cm.Grains()["new"] != true {
		t.Errorf("refresh_grains: %v; the job's grains %v", err, cm.Grains())
	}
	if funcs := jc.Functions(ctx); !slices.Equal(funcs, []string{"hello.world"}) {
		t.Errorf("fallback functions %v", funcs)
	}
	if res, ok := jc.Call(ctx, "hello.world", []any{"x"}, modules.Pub{Fun: "hello.world", Jid: "2"}); !ok || !res.Success {
		t.Errorf("fallback call: %+v, %v", res, ok)
	}
	// The answer reached us over a socket, which the race detector does
	// not see as ordering: the pubs are read under their lock.
	fb.mu.Lock()
	if len(fb.pubs) != 1 || fb.pubs[0].Jid != "2" {
		t.Errorf("fallback pubs %+v", fb.pubs)
	}
	fb.mu.Unlock()
	if _, ok := jc.Call(ctx, "no.such", nil, modules.Pub{}); ok {
		t.Error("the fallback ran a function it does not have")
	}

	q := jobStates{jc}
	if refused, err := q.Enter(ctx, modules.StateRun{Key: "2", Fun: "state.apply", Jid: "2", Pid: 7}, nil, false); refused != nil || err != nil {
		t.Fatalf("state_enter: %v, %v", refused, err)
	}
	local := m.modules.StateRuns()
	if refused, _ := local.Enter(ctx, modules.StateRun{Key: "3", Fun: "state.sls"}, nil, false); len(refused) != 1 {
		t.Errorf("the minion's queue let a second run in beside the process's: %v", refused)
	}
	if running := q.Running("x"); len(running) != 1 {
		t.Errorf("state_running: %v", running)
	}
	p.leaveStates() // the process ended without leaving
	if refused, _ := local.Enter(ctx, modules.StateRun{Key: "3", Fun: "state.sls"}, nil, false); refused != nil {
		t.Errorf("the run of an ended process still holds the queue: %v", refused)
	}
}

// socketPair is two connected ends of a Unix stream socket.
func socketPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("unix", t.TempDir()+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	a, err := net.Dial("unix", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

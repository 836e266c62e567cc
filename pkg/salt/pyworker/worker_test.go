package pyworker

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

const deadline = 30 * time.Second

// fakeWorker starts a Worker whose process is the fake worker.
func newFake(t *testing.T, cfg Config) (*Worker, string) {
	t.Helper()
	cancels := filepath.Join(t.TempDir(), "cancels")
	cfg.Command = fakeCommand
	cfg.Opts = append(cfg.Opts, body.Item{Key: "cancel_file", Value: cancels})
	if cfg.ID == "" {
		cfg.ID = "web1"
	}
	w := New(cfg)
	t.Cleanup(func() { w.Close() })
	return w, cancels
}

func call(t *testing.T, w *Worker, fun string, args ...any) modules.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	res, ok := w.Call(ctx, fun, args, modules.Pub{})
	if !ok {
		t.Fatalf("%s: the worker says it has no such function", fun)
	}
	return res
}

// A call carries the arguments as published (kwarg markers kept, for
// Salt's load_args_and_kwargs to pop) and the publish as _thread_return's
// data, in the pub load's order with arg stripped of its markers.
func TestCallCarriesArgumentsAndPublish(t *testing.T) {
	w, _ := newFake(t, Config{})
	kw := body.Map{{Key: "name", Value: "x"}, {Key: "__kwarg__", Value: true}}
	pub := modules.Pub{Fun: "fake.echo", Arg: []any{"a", kw}, Tgt: "*", Jid: "20261207061500123456", TgtType: "glob",
		User: "root", Extra: body.Map{{Key: "delimiter", Value: ":"}}}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	res, ok := w.Call(ctx, "fake.echo", pub.Arg, pub)
	if !ok {
		t.Fatal("fake.echo not found")
	}
	want := body.Map{
		{Key: "arg", Value: []any{"a", kw}},
		{Key: "data", Value: body.Map{{Key: "fun", Value: "fake.echo"}, {Key: "arg", Value: []any{"a", body.Map{{Key: "name", Value: "x"}}}},
			{Key: "tgt", Value: "*"}, {Key: "jid", Value: "20261207061500123456"}, {Key: "ret", Value: ""},
			{Key: "tgt_type", Value: "glob"}, {Key: "user", Value: "root"}, {Key: "delimiter", Value: ":"}}},
	}
	if !reflect.DeepEqual(res.Return, want) || !res.Success || res.Retcode != 0 || res.Raised {
		t.Errorf("Call = %#v\nwant return %#v", res, want)
	}
	if res := call(t, w, "fake.script"); res.Return != true {
		t.Errorf("the worker did not get the Python script on fd 3: %#v", res)
	}
}

// The worker's error returns come back as they were worded, raised; a
// function it does not have is not found, so the Executor says "not
// available".
func TestErrorsAndMissingFunctions(t *testing.T) {
	w, _ := newFake(t, Config{})
	res := call(t, w, "fake.raise")
	if res.Return != "ERROR: boom" || res.Retcode != 1 || res.Success || !res.Raised || res.Out != "nested" {
		t.Errorf("fake.raise = %#v", res)
	}
	if _, ok := w.Call(context.Background(), "nope.nope", nil, modules.Pub{}); ok {
		t.Error("nope.nope found")
	}
	e := modules.New(modules.Options{Fallback: w})
	got := e.Run(context.Background(), "nope.nope", nil, modules.Pub{})
	if got.Return != "'nope.nope' is not available." || got.Retcode != 1 {
		t.Errorf("Run(nope.nope) = %#v", got)
	}
	if got := e.Run(context.Background(), "fake.echo", []any{"x"}, modules.Pub{}); !got.Success {
		t.Errorf("Run(fake.echo) through the Executor = %#v", got)
	}
}

// Calls overlap: one that never answers does not hold up the others, and
// when its context ends the worker is told to kill it.
func TestCallsOverlapAndCancel(t *testing.T) {
	w, cancels := newFake(t, Config{})
	ctx, cancel := context.WithCancelCause(context.Background())
	var slow modules.Result
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slow, _ = w.Call(ctx, "fake.sleep", nil, modules.Pub{})
	}()
	var n atomic.Int32
	var fast sync.WaitGroup
	for i := 0; i < 8; i++ {
		fast.Add(1)
		go func() {
			defer fast.Done()
			if res := call(t, w, "fake.echo", i); res.Success {
				n.Add(1)
			}
		}()
	}
	fast.Wait()
	if n.Load() != 8 {
		t.Fatalf("%d of 8 calls beside a hung one returned", n.Load())
	}
	cancel(errKilled)
	wg.Wait()
	if slow.Return != "ERROR: fake.sleep was cancelled: job killed" || slow.Retcode != 1 || !slow.Raised {
		t.Errorf("cancelled call = %#v", slow)
	}
	testutil.WaitFor(t, "the worker to get the cancel", deadline, func() bool {
		b, _ := os.ReadFile(cancels)
		return len(bytes.TrimSpace(b)) > 0
	})
}

var errKilled = errorString("job killed")

type errorString string

func (e errorString) Error() string { return string(e) }

// A worker that dies fails the call it was running with a clear error, and
// the next call starts a new one.
func TestWorkerThatDiesIsStartedAgain(t *testing.T) {
	w, _ := newFake(t, Config{})
	call(t, w, "fake.echo")
	pid := w.Pid()
	res := call(t, w, "fake.die")
	if s, _ := res.Return.(string); !strings.HasPrefix(s, "ERROR: the Python worker running fake.die stopped: it ended (exit status 1)") ||
		res.Retcode != 1 || !res.Raised {
		t.Errorf("fake.die = %#v", res)
	}
	if res := call(t, w, "fake.echo", "again"); !res.Success {
		t.Fatalf("the call after the death = %#v", res)
	}
	if w.Pid() == pid || w.Pid() == 0 {
		t.Errorf("worker pid %d after the death, was %d", w.Pid(), pid)
	}
}

// Where Python has no Salt, an optional worker is tried once: every call is
// then "not there", without starting another process.
func TestOptionalWorkerWithoutSalt(t *testing.T) {
	var starts atomic.Int32
	w := New(Config{ID: "nosalt", Optional: true, RetryAfter: time.Nanosecond,
		Command: func() *exec.Cmd { starts.Add(1); return fakeCommand() }})
	defer w.Close()
	for i := 0; i < 3; i++ {
		if _, ok := w.Call(context.Background(), "test.ping", nil, modules.Pub{}); ok {
			t.Fatal("a call found a function without Salt")
		}
	}
	if l := w.Functions(context.Background()); l != nil {
		t.Errorf("Functions = %v", l)
	}
	if starts.Load() != 1 {
		t.Errorf("%d starts, want 1", starts.Load())
	}
	if w.startErr == nil || !strings.Contains(w.startErr.Error(), "No module named 'salt'") {
		t.Errorf("start error %v does not say why", w.startErr)
	}
}

// A worker that is not optional is tried again after RetryAfter.
func TestRequiredWorkerIsRetried(t *testing.T) {
	var starts atomic.Int32
	w := New(Config{ID: "nosalt", RetryAfter: time.Nanosecond,
		Command: func() *exec.Cmd { starts.Add(1); return fakeCommand() }})
	defer w.Close()
	w.Call(context.Background(), "test.ping", nil, modules.Pub{})
	w.Call(context.Background(), "test.ping", nil, modules.Pub{})
	if starts.Load() != 2 {
		t.Errorf("%d starts, want 2", starts.Load())
	}
}

// Grains and pillar reach the worker, again when they change.
func TestGrainsAndPillarFollowTheMinion(t *testing.T) {
	var mu sync.Mutex
	grains := map[string]any{"id": "web1", "os": "Debian"}
	w, _ := newFake(t, Config{
		Grains: func() map[string]any { mu.Lock(); defer mu.Unlock(); return grains },
		Pillar: func() map[string]any { return map[string]any{"role": "web"} }})
	want := func(g map[string]any) {
		t.Helper()
		res := call(t, w, "fake.grains")
		m, _ := res.Return.(body.Map)
		gg, _ := m.Get("grains")
		pp, _ := m.Get("pillar")
		gm, _ := gg.(body.Map)
		pm, _ := pp.(body.Map)
		if len(gm) != len(g) || gm == nil || pm == nil {
			t.Fatalf("fake.grains = %#v", res.Return)
		}
		for k, v := range g {
			if got, _ := gm.Get(k); got != v {
				t.Errorf("grain %s = %v, want %v", k, got, v)
			}
		}
		if r, _ := pm.Get("role"); r != "web" {
			t.Errorf("pillar = %v", pm)
		}
	}
	want(grains)
	mu.Lock()
	grains = map[string]any{"id": "web1", "os": "Debian", "roles": "db"}
	mu.Unlock()
	want(grains)
}

// When the extension modules change (saltutil.sync_modules), the worker
// builds its loader again before the next call, and its function list is
// read again.
func TestReloadWhenExtensionModulesChange(t *testing.T) {
	ext := t.TempDir()
	w, _ := newFake(t, Config{ExtensionModules: ext})
	if res := call(t, w, "fake.reloads"); res.Return != int64(0) {
		t.Fatalf("reloads before any change = %#v", res.Return)
	}
	if l := w.Functions(context.Background()); !reflect.DeepEqual(l, []string{"fake.echo", "fake.sleep"}) {
		t.Errorf("Functions = %v", l)
	}
	first := w.funcs
	os.MkdirAll(filepath.Join(ext, "modules"), 0o700)
	if err := os.WriteFile(filepath.Join(ext, "modules", "hello.py"), []byte("def world(): return 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := call(t, w, "fake.reloads"); res.Return != int64(1) {
		t.Errorf("reloads after a module was synced = %#v", res.Return)
	}
	w.Functions(context.Background())
	if &w.funcs[0] == &first[0] {
		t.Error("the function list was not read again after the change")
	}
	if res := call(t, w, "fake.reloads"); res.Return != int64(1) {
		t.Errorf("reloads without a further change = %#v", res.Return)
	}
}

// Close stops the worker process; calls after it find nothing.
func TestCloseStopsTheWorker(t *testing.T) {
	w, _ := newFake(t, Config{})
	call(t, w, "fake.echo")
	pid := w.Pid()
	w.Close()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("worker %d still runs after Close", pid)
	}
	if _, ok := w.Call(context.Background(), "fake.echo", nil, modules.Pub{}); ok {
		t.Error("a call after Close")
	}
}

// Frames keep any map: more than 15 keys takes the map16 header.
func TestFrameRoundTrip(t *testing.T) {
	m := body.Map{}
	for i := 0; i < 20; i++ {
		m = append(m, body.Item{Key: string(rune('a' + i)), Value: int64(i)})
	}
	var buf bytes.Buffer
	if err := WriteFrame(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFrame(&buf)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("ReadFrame = %v, %v", got, err)
	}
	if _, err := ReadFrame(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff})); err == nil {
		t.Error("a frame beyond MaxFrame was read")
	}
}

// A command a call left in the background keeps the worker's stderr open;
// Close returns all the same.
func TestCloseWithABackgroundCommand(t *testing.T) {
	w, _ := newFake(t, Config{})
	res := call(t, w, "fake.bg")
	pid, ok := res.Return.(int64)
	if !ok {
		t.Fatalf("fake.bg = %#v", res)
	}
	defer syscall.Kill(int(pid), syscall.SIGKILL)
	done := make(chan struct{})
	go func() { w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadline):
		t.Fatal("Close did not return while a background command held the worker's stderr")
	}
}

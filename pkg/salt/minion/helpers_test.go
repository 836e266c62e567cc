package minion

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/proctree"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// deadline is how long a test waits for something that should happen
// within a fraction of it.
const deadline = 20 * time.Second

// Master names of the fake master.
const (
	masterRole   = "saltmaster"
	masterEstate = "saltmaster_master"
)

// fastTimers make the road notice a master going and coming within a
// second or so.
var fastTimers = road.Timers{
	Period:        150 * time.Millisecond,
	Offset:        50 * time.Millisecond,
	AliverTimeout: 600 * time.Millisecond,
	AliverRedoMin: 100 * time.Millisecond,
	AliverRedoMax: 200 * time.Millisecond,
	JoinerTimeout: 2 * time.Second,
	AllowTimeout:  2 * time.Second,
}

// keysFor derives fixed long-term keys from a name.
func keysFor(t *testing.T, name string) (*raet.Signer, *raet.Privateer) {
	t.Helper()
	return testutil.NamedKeys(t, "minion-test/"+name)
}

// fakeMaster is a master's road stack and router as the contract has them,
// recording every remote_cmd message and answering _pillar.
type fakeMaster struct {
	t      *testing.T
	dir    string
	addr   netip.AddrPort
	stack  *road.Stack
	router *route.Router
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	cmds    []route.Message
	changed chan struct{}
}

// startMaster starts a fake master whose keep and key store live in dir,
// listening on addr ("127.0.0.1:0" for any port).
func startMaster(t *testing.T, dir, addr string) *fakeMaster {
	t.Helper()
	conn, err := road.ListenUDP(addr)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keep.Open(filepath.Join(dir, "keep"), keep.KindJSON, raet.AutoNever)
	if err != nil {
		t.Fatal(err)
	}
	store, err := pki.Open(filepath.Join(dir, "pki"), pki.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := keysFor(t, "master")
	timers := fastTimers
	timers.JoinentTimeout = road.Never
	stack, err := road.NewStack(road.Config{Name: masterEstate, Role: masterRole, Main: true, Kind: config.KindMaster,
		Keep: k, Acceptor: store, Timers: timers, Signer: signer, Privateer: priv, Conn: conn,
		BodyKind: raet.BodyMsgpack, Manage: true, ManageCascade: true})
	if err != nil {
		t.Fatal(err)
	}
	fm := &fakeMaster{t: t, dir: dir, addr: conn.LocalAddr(), stack: stack, done: make(chan struct{}),
		changed: make(chan struct{})}
	fm.router = route.New(route.Config{Road: stack})
	fm.router.Handle(ShareRemoteCmd, fm.onRemoteCmd)
	fm.router.Handle("", func(route.Message) {})
	ctx, cancel := context.WithCancel(context.Background())
	fm.cancel = cancel
	go stack.Run(ctx)
	go fm.router.Run(ctx)
	go func() { // the events nobody here waits for
		for {
			select {
			case <-stack.Events():
			case <-stack.Done():
				close(fm.done)
				return
			}
		}
	}()
	t.Cleanup(fm.stop)
	return fm
}

// stop stops the master and waits for its socket to close.
func (fm *fakeMaster) stop() {
	fm.cancel()
	<-fm.done
}

func (fm *fakeMaster) onRemoteCmd(msg route.Message) {
	fm.mu.Lock()
	fm.cmds = append(fm.cmds, msg)
	close(fm.changed)
	fm.changed = make(chan struct{})
	fm.mu.Unlock()
	load, _ := msg.Body.Map("load")
	if cmd, _ := load.String("cmd"); cmd == "_pillar" {
		reply := body.Map{
			{Key: "route", Value: body.Map{
				{Key: "src", Value: []any{masterEstate, nil, nil}},
				{Key: "dst", Value: []any{msg.FromEstate, nil, nil}},
			}},
			{Key: "return", Value: body.Map{}},
		}
		if err := fm.router.Send(reply); err != nil {
			fm.t.Errorf("pillar reply: %v", err)
		}
	}
}

// waitCmd waits for a remote_cmd message whose load satisfies match.
func (fm *fakeMaster) waitCmd(what string, match func(load body.Map) bool) route.Message {
	fm.t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		fm.mu.Lock()
		for _, m := range fm.cmds {
			if load, ok := m.Body.Map("load"); ok && match(load) {
				fm.mu.Unlock()
				return m
			}
		}
		ch := fm.changed
		fm.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			fm.t.Fatalf("the master got no %s within %v", what, deadline)
		}
	}
}

// count counts the remote_cmd messages whose load satisfies match.
func (fm *fakeMaster) count(match func(load body.Map) bool) int {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	n := 0
	for _, m := range fm.cmds {
		if load, ok := m.Body.Map("load"); ok && match(load) {
			n++
		}
	}
	return n
}

func isCmd(cmd string) func(body.Map) bool {
	return func(load body.Map) bool { c, _ := load.String("cmd"); return c == cmd }
}

func isReturn(jid string) func(body.Map) bool {
	return func(load body.Map) bool {
		c, _ := load.String("cmd")
		j, _ := load.String("jid")
		return c == "_return" && j == jid
	}
}

// waitReturn waits for the return of jid and gives the whole message.
func (fm *fakeMaster) waitReturn(jid string) route.Message {
	fm.t.Helper()
	return fm.waitCmd("return of "+jid, isReturn(jid))
}

// publish sends a job to a minion as the contract's master does.
func (fm *fakeMaster) publish(minionEstate string, pub body.Map) {
	fm.t.Helper()
	var uid uint32
	waitFor(fm.t, "the master to allow "+minionEstate, func() bool {
		var ok bool
		uid, ok = fm.stack.UID(minionEstate)
		return ok && fm.stack.Remotes()[uid].Allowed == road.Yes
	})
	msg := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "dst", Value: []any{minionEstate, nil, "fun"}},
			{Key: "src", Value: []any{masterEstate, nil, nil}},
		}},
		{Key: "pub", Value: pub},
	}
	if err := fm.stack.Transmit(msg, uid, deadline).Err(); err != nil {
		fm.t.Fatalf("publish %v: %v", pub, err)
	}
}

// pubLoad is the pub load of a job, as job.PubLoad makes it.
func pubLoad(jid, tgt any, tgtType, fun string, args ...any) body.Map {
	if args == nil {
		args = []any{}
	}
	return body.Map{
		{Key: "fun", Value: fun},
		{Key: "arg", Value: args},
		{Key: "tgt", Value: tgt},
		{Key: "jid", Value: jid},
		{Key: "ret", Value: ""},
		{Key: "tgt_type", Value: tgtType},
		{Key: "user", Value: "root"},
	}
}

// jids makes distinct job ids, as a master does.
var jidSeq struct {
	sync.Mutex
	n int
}

func newJID() string {
	jidSeq.Lock()
	defer jidSeq.Unlock()
	jidSeq.n++
	return fmt.Sprintf("20260101000000%06d", jidSeq.n)
}

// logHook records what a minion logs, for tests that wait for a line.
type logHook struct {
	mu      sync.Mutex
	entries []string
	changed chan struct{}
}

func (h *logHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h *logHook) Fire(e *logrus.Entry) error {
	h.mu.Lock()
	h.entries = append(h.entries, strings.ToUpper(e.Level.String())+" "+e.Message)
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
	return nil
}

// wait waits for n lines containing s, and returns them.
func (h *logHook) wait(t *testing.T, s string, n int) []string {
	t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		h.mu.Lock()
		var found []string
		for _, e := range h.entries {
			if strings.Contains(e, s) {
				found = append(found, e)
			}
		}
		ch := h.changed
		h.mu.Unlock()
		if len(found) >= n {
			return found
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("no %d log lines with %q within %v", n, s, deadline)
		}
	}
}

// env is a minion's root directory and config.
type env struct {
	t    *testing.T
	root string
	cfg  *config.Minion
	log  *logrus.Logger
	hook *logHook
}

// newEnv writes a minion config under a fresh root_dir, short enough for
// Unix socket paths, whose master is at masterAddr.
func newEnv(t *testing.T, masterAddr netip.AddrPort, extra string) *env {
	t.Helper()
	root, err := os.MkdirTemp("", "n")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	etc := filepath.Join(root, "etc")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("id: m1\nroot_dir: %s\ninterface: 127.0.0.1\nmaster: 127.0.0.1 %d\nlog_level: debug\n%s",
		root, masterAddr.Port(), extra)
	if err := os.WriteFile(filepath.Join(etc, "minion"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadMinion(etc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, root: root, cfg: cfg, hook: &logHook{changed: make(chan struct{})}}
	e.log = logrus.New()
	e.log.SetOutput(io.Discard)
	if testing.Verbose() {
		e.log.SetOutput(os.Stderr)
	}
	e.log.SetLevel(logrus.DebugLevel)
	e.log.AddHook(e.hook)
	return e
}

// running is a minion being Run.
type running struct {
	m      *Minion
	addr   string
	cancel context.CancelFunc
	done   chan error
}

// start makes and runs a minion of the env on addr ("127.0.0.1:0" for any
// port).
func (e *env) start(addr string, opts ...Option) *running {
	e.t.Helper()
	conn, err := road.ListenUDP(addr)
	if err != nil {
		e.t.Fatal(err)
	}
	opts = append([]Option{WithRoadConn(conn), WithTimers(fastTimers), WithReturnTimeout(2 * time.Second),
		WithRetryInterval(500 * time.Millisecond), WithShutdownGrace(2 * time.Second)}, opts...)
	m, err := New(e.cfg, e.log, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{m: m, addr: m.RoadAddr(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- m.Run(ctx) }()
	e.t.Cleanup(func() { r.stop(e.t) })
	return r
}

// stop shuts the minion down and checks Run's result.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(deadline):
		t.Fatalf("Run did not return within %v of the shutdown", deadline)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, what, deadline, cond)
}

// loadOf returns the load of a message.
func loadOf(t *testing.T, msg route.Message) body.Map {
	t.Helper()
	load, ok := msg.Body.Map("load")
	if !ok {
		t.Fatalf("message without a load: %v", msg.Body)
	}
	return load
}

// field returns a load's field, failing when it is missing.
func field(t *testing.T, load body.Map, key string) any {
	t.Helper()
	v, ok := load.Get(key)
	if !ok {
		t.Fatalf("load has no %q: %v", key, load)
	}
	return v
}

func sameKeys(got []string, want ...string) bool { return slices.Equal(got, want) }

// netipPort is 127.0.0.1:port.
func netipPort(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
}

// startJoined starts a fake master and a minion of it, and waits until the
// minion has joined, been allowed and asked for its pillar.
func startJoined(t *testing.T) (*fakeMaster, *env, *running) {
	t.Helper()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	return fm, e, r
}

// parentPID is the parent of a process.
func parentPID(t *testing.T, pid int) int {
	t.Helper()
	ppid, ok := proctree.Parent(pid)
	if !ok {
		t.Fatalf("process %d is gone", pid)
	}
	return ppid
}

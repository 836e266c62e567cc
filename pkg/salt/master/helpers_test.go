package master

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

// wait bounds anything that should happen: generous, since tests only wait
// for what does happen.
const wait = 20 * time.Second

func currentUser(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

// tmaster is a master running on a free UDP port of 127.0.0.1 with its
// root_dir in a short temporary directory (socket paths must stay short).
type tmaster struct {
	t    *testing.T
	m    *Master
	cfg  *config.Master
	root string
	logs *testutil.SyncBuffer
	done chan error
	stop context.CancelFunc
}

func loadConfig(t *testing.T, root, extra string) *config.Master {
	t.Helper()
	etc := filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("id: saltmaster\nroot_dir: %s\ninterface: 127.0.0.1\nuser: %s\nlog_level: debug\n%s",
		root, currentUser(t), extra)
	if err := os.WriteFile(filepath.Join(etc, "master"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadMaster(etc)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "m")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func newMaster(t *testing.T, extra string, opts ...Option) *tmaster {
	t.Helper()
	root := shortTemp(t)
	cfg := loadConfig(t, root, extra)
	logs := &testutil.SyncBuffer{}
	logger, err := saltlog.New("debug", logs, "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]Option{WithRoadConn(conn), WithPresenceInterval(200 * time.Millisecond),
		WithPublishTimeout(5 * time.Second)}, opts...)
	m, err := New(cfg, logger, opts...)
	if err != nil {
		t.Fatal(err)
	}
	tm := &tmaster{t: t, m: m, cfg: cfg, root: root, logs: logs}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("master log:\n%s", logs.String())
		}
	})
	return tm
}

// start runs the master until the test ends.
func (tm *tmaster) start() *tmaster {
	ctx, cancel := context.WithCancel(context.Background())
	tm.stop = cancel
	tm.done = make(chan error, 1)
	go func() { tm.done <- tm.m.Run(ctx) }()
	tm.t.Cleanup(func() { tm.shutdown() })
	return tm
}

// shutdown stops the master and waits for Run to return.
func (tm *tmaster) shutdown() error {
	tm.t.Helper()
	if tm.stop == nil {
		return nil
	}
	tm.stop()
	tm.stop = nil
	select {
	case err := <-tm.done:
		return err
	case <-time.After(wait):
		tm.t.Fatal("master did not stop")
	}
	return nil
}

// waitStat waits until the master's counter key reaches at least n.
func (tm *tmaster) waitStat(key string, n uint64) {
	tm.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		if tm.m.Stats()[key] >= n {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("counter %s stayed at %d, want %d; stats %v", key, tm.m.Stats()[key], n, tm.m.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// eventually polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, what, wait, cond)
}

// minion is a fake minion: a road stack that joins the master, collects
// the publishes (share fun) and anything else it is sent.
type minion struct {
	t      *testing.T
	id     string
	road   *road.Stack
	signer *raet.Signer
	priv   *raet.Privateer
	master uint32 // the master's uid here
	pubs   chan body.Map
	others chan body.Map
	events chan road.Event
}

func newMinion(t *testing.T, tm *tmaster, id string) *minion {
	t.Helper()
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	kp, err := keep.Open(t.TempDir(), keep.KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := testutil.EstateKeys(t)
	s, err := road.NewStack(road.Config{Name: id + "_minion", Role: id, Kind: config.KindMinion,
		Keep: kp, Signer: signer, Privateer: priv, Conn: conn, BodyKind: raet.BodyMsgpack,
		Timers: road.Timers{JoinerTimeout: road.Never, PendRedo: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	mn := &minion{t: t, id: id, road: s, signer: signer, priv: priv,
		pubs: make(chan body.Map, 64), others: make(chan body.Map, 64), events: make(chan road.Event, 256)}
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	t.Cleanup(func() { cancel(); <-s.Done() })
	go func() {
		for {
			select {
			case e := <-s.Events():
				select {
				case mn.events <- e:
				default:
				}
			case <-s.Done():
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case rx := <-s.Receive():
				rt, err := route.ParseRoute(rx.Body)
				if err == nil && rt.Dst.Share == "fun" {
					mn.pubs <- rx.Body
				} else {
					mn.others <- rx.Body
				}
			case <-s.Done():
				return
			}
		}
	}()
	return mn
}

// accept puts the minion's key in the master's accepted/ directory.
func (mn *minion) accept(tm *tmaster) {
	mn.t.Helper()
	st, err := pki.Open(tm.cfg.PKIDir, pki.Options{AutoAccept: true})
	if err != nil {
		mn.t.Fatal(err)
	}
	if a, err := st.Status(mn.id, mn.priv.PubHex(), mn.signer.VerHex()); err != nil || a != raet.Accepted {
		mn.t.Fatalf("accepting %s: %v %v", mn.id, a, err)
	}
}

// join starts the join (with allow) to the master.
func (mn *minion) join(tm *tmaster) {
	mn.t.Helper()
	uid, err := mn.road.Join(tm.m.RoadAddr(), true)
	if err != nil {
		mn.t.Fatal(err)
	}
	mn.master = uid
}

// waitAllowed waits until the minion has a session with the master, and
// the master knows it as allowed.
func (mn *minion) waitAllowed(tm *tmaster) {
	mn.t.Helper()
	eventually(mn.t, mn.id+" allowed by the master", func() bool {
		for _, rs := range tm.m.road.Remotes() {
			if rs.Role == mn.id && rs.Allowed == road.Yes {
				return true
			}
		}
		return false
	})
	eventually(mn.t, mn.id+" allowed on its side", func() bool {
		rs, ok := mn.road.Remotes()[mn.master]
		return ok && rs.Allowed == road.Yes
	})
}

// connect accepts, joins and waits for the session.
func (mn *minion) connect(tm *tmaster) *minion {
	mn.accept(tm)
	mn.join(tm)
	mn.waitAllowed(tm)
	return mn
}

// send transmits a body to the master and waits for the road to deliver it.
func (mn *minion) send(m body.Map) {
	mn.t.Helper()
	if err := mn.road.Transmit(m, mn.master, wait).Err(); err != nil {
		mn.t.Fatalf("%s sending to the master: %v", mn.id, err)
	}
}

func (mn *minion) estate() string { return mn.id + "_minion" }

// remoteCmd builds a remote_cmd message with the given load.
func (mn *minion) remoteCmd(masterEstate string, load any) body.Map {
	return body.Map{
		{Key: "route", Value: body.Map{
			{Key: "src", Value: []any{mn.estate(), "jobber0123456789abcdef", "jid_ret"}},
			{Key: "dst", Value: []any{masterEstate, nil, "remote_cmd"}},
		}},
		{Key: "load", Value: load},
	}
}

// ret sends a test.ping return for jid, claiming the given id.
func (mn *minion) ret(masterEstate, jid, claimedID string) {
	mn.t.Helper()
	rc := int64(0)
	mn.send(mn.remoteCmd(masterEstate, job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: &rc,
		JID: jid, Fun: "test.ping", FunArgs: []any{}, ID: claimedID})))
}

// waitPub waits for a publish.
func (mn *minion) waitPub() body.Map {
	mn.t.Helper()
	select {
	case p := <-mn.pubs:
		return p
	case <-time.After(wait):
		mn.t.Fatalf("%s got no publish", mn.id)
	}
	return nil
}

// client is a fake salt command: a client yard and an event yard on the
// master's lane, following the contract.
type client struct {
	t          *testing.T
	cli, evt   *lane.Stack
	clientYard string
	eventYard  string

	mu     sync.Mutex
	cond   *sync.Cond
	events []event
}

type event struct {
	tag  string
	data any
	msg  body.Map
}

func newClient(t *testing.T, tm *tmaster) *client {
	t.Helper()
	c := &client{t: t, clientYard: "client" + lane.NewSessionID(), eventYard: "event" + lane.NewSessionID()}
	c.cond = sync.NewCond(&c.mu)
	var err error
	c.cli, err = lane.NewStack(lane.Config{Name: c.clientYard, Lane: "master", Dir: tm.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	c.evt, err = lane.NewStack(lane.Config{Name: c.eventYard, Lane: "master", Dir: tm.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go c.cli.Run(ctx)
	go c.evt.Run(ctx)
	t.Cleanup(func() { cancel(); <-c.cli.Stopped(); <-c.evt.Stopped() })
	go func() {
		for {
			select {
			case rx := <-c.evt.Receive():
				tag, _ := rx.Body.String("tag")
				data, _ := rx.Body.Get("data")
				c.mu.Lock()
				c.events = append(c.events, event{tag, data, rx.Body})
				c.cond.Broadcast()
				c.mu.Unlock()
			case <-c.evt.Stopped():
				return
			}
		}
	}()
	return c
}

// subscribe sends event_req and waits until the master has it: a
// presence_req sent after it from the same yard is answered after it.
func (c *client) subscribe() {
	c.t.Helper()
	c.sendFrom(c.evt, body.Map{{Key: "route", Value: body.Map{
		{Key: "dst", Value: []any{nil, "manor", "event_req"}},
		{Key: "src", Value: []any{nil, c.eventYard, nil}},
	}}})
	c.sendFrom(c.evt, body.Map{{Key: "route", Value: body.Map{
		{Key: "dst", Value: []any{nil, "manor", "presence_req"}},
		{Key: "src", Value: []any{nil, c.eventYard, nil}},
	}}})
	c.waitEvent(func(e event) bool { return e.tag == TagPresencePresent })
}

func (c *client) sendFrom(s *lane.Stack, m body.Map) {
	c.t.Helper()
	if err := s.Transmit(m, "manor").Err(); err != nil {
		c.t.Fatal(err)
	}
}

// publish sends a publish load from the client yard.
func (c *client) publish(load body.Map) {
	c.t.Helper()
	c.sendFrom(c.cli, body.Map{
		{Key: "route", Value: body.Map{
			{Key: "dst", Value: []any{nil, "manor", "local_cmd"}},
			{Key: "src", Value: []any{nil, c.clientYard, nil}},
		}},
		{Key: "load", Value: load},
	})
}

// reply waits for the master's answer on the client yard.
func (c *client) reply() body.Map {
	c.t.Helper()
	select {
	case rx := <-c.cli.Receive():
		return rx.Body
	case <-time.After(wait):
		c.t.Fatal("no reply from the master")
	}
	return nil
}

// waitEvent waits for an event that pred accepts.
func (c *client) waitEvent(pred func(event) bool) event {
	c.t.Helper()
	deadline := time.Now().Add(wait)
	timer := time.AfterFunc(wait, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for _, e := range c.events {
			if pred(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			tags := make([]string, len(c.events))
			for i, e := range c.events {
				tags[i] = e.tag
			}
			c.t.Fatalf("event not seen; got %s", strings.Join(tags, ", "))
		}
		c.cond.Wait()
	}
}

func (c *client) waitTag(tag string) event {
	c.t.Helper()
	return c.waitEvent(func(e event) bool { return e.tag == tag })
}

// count counts the events seen with a tag.
func (c *client) count(tag string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.events {
		if e.tag == tag {
			n++
		}
	}
	return n
}

// pubLoad is the salt command's load for fun on tgt.
func pubLoad(key, tgt, tgtType, fun string, args ...any) body.Map {
	return job.PublishLoad(job.Publish{Tgt: tgt, Fun: fun, Arg: args, Key: key, TgtType: tgtType,
		User: "root", Kwargs: job.CLIKwargs(true, false, "", true)})
}

func (tm *tmaster) key() string {
	tm.t.Helper()
	k, err := ReadAccessKey(tm.cfg.Cachedir, tm.cfg.User)
	if err != nil {
		tm.t.Fatal(err)
	}
	return k
}

// get digs into nested maps: get(m, "return", "ret", "jid").
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(body.Map)
		if !ok {
			return nil
		}
		v, _ = m.Get(k)
	}
	return v
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func routeOf(t *testing.T, m body.Map) route.Route {
	t.Helper()
	rt, err := route.ParseRoute(m)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

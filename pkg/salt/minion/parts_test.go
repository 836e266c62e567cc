package minion

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

func quietLog() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// The master a local tool's request goes to: the first allowed one in the
// order of the master option, or a random allowed one with random_master.
func TestMasterSetPick(t *testing.T) {
	addrs := []config.MasterAddr{
		{External: config.HostPort{Host: "m1", Port: 4506}},
		{External: config.HostPort{Host: "m2", Port: 4506}},
		{External: config.HostPort{Host: "m3", Port: 4506}},
	}
	ms := newMasterSet(addrs, false)
	for i, m := range ms.list {
		m.uid, m.name = uint32(i+2), []string{"a_master", "b_master", "c_master"}[i]
	}
	remotes := map[uint32]road.RemoteState{
		2: {Name: "a_master", Allowed: road.No},
		3: {Name: "b_master", Allowed: road.Yes},
		4: {Name: "c_master", Allowed: road.Yes},
	}
	if name, uid, ok := ms.pick(remotes); !ok || name != "b_master" || uid != 3 {
		t.Errorf("pick = %s %d %v, want the first allowed, b_master 3", name, uid, ok)
	}
	ms.random = true
	ms.intn = func(n int) int {
		if n != 2 {
			t.Errorf("random pick among %d, want 2 allowed", n)
		}
		return 1
	}
	if name, _, ok := ms.pick(remotes); !ok || name != "c_master" {
		t.Errorf("random pick = %s %v, want c_master", name, ok)
	}
	if _, _, ok := ms.pick(map[uint32]road.RemoteState{2: {Allowed: road.No}}); ok {
		t.Error("picked a master none of which is allowed")
	}
	if !ms.isMaster(3) || ms.isMaster(9) || ms.isMaster(0) {
		t.Error("isMaster wrong")
	}
}

// A jid runs once; proc files of dead processes are cleaned at start, those
// of living ones are not.
func TestJobTable(t *testing.T) {
	dir := t.TempDir()
	jt := newJobTable(dir)
	rec := map[string]any{"pid": os.Getpid(), "jid": "20260101000000000001", "fun": "test.sleep"}
	if !jt.begin("20260101000000000001", rec) {
		t.Fatal("begin refused a new job")
	}
	if jt.begin("20260101000000000001", rec) {
		t.Error("begin took a running jid twice")
	}
	if got := jt.Running(); len(got) != 1 || got[0]["fun"] != "test.sleep" {
		t.Errorf("Running() = %v", got)
	}
	jt.end("20260101000000000001")
	if jt.begin("20260101000000000001", rec) {
		t.Error("begin took a jid that ran lately")
	}
	if !jt.wait(0) || len(jt.Running()) != 0 {
		t.Error("a job still runs")
	}

	write := func(name string, pid int) {
		if err := jt.writeProc(name, map[string]any{"pid": pid, "jid": name}); err != nil {
			t.Fatal(err)
		}
	}
	write("20260101000000000002", 1)           // init: alive, not ours
	write("20260101000000000003", os.Getpid()) // our pid from a run before this one
	write("20260101000000000004", 0)
	if err := os.WriteFile(filepath.Join(dir, tempPrefix+"x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	jt.cleanProcs()
	left, _ := os.ReadDir(dir)
	if len(left) != 1 || left[0].Name() != "20260101000000000002" {
		t.Errorf("left after cleaning: %v", left)
	}
}

// The spool finds what a previous run left, keeps what cannot be sent or
// was not delivered, and leaves a file it cannot read where it is.
func TestSpoolKeepsUndelivered(t *testing.T) {
	dir := t.TempDir()
	notNow := func(string, body.Map) (*road.Delivery, error) { return nil, errNotNow }
	s, err := openSpool(dir, quietLog(), notNow)
	if err != nil {
		t.Fatal(err)
	}
	jid := "20260101000000000001"
	rc := int64(0)
	load := job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: &rc, JID: jid, Fun: "test.ping", ID: "m1"})
	s.submit(jid, "a_master", ReturnMessage("m1_minion", "a_master", load))
	if got := s.pending(); !sameKeys(got, jid) {
		t.Fatalf("pending %v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "20260101000000000009"), []byte("not msgpack"), 0o600); err != nil {
		t.Fatal(err)
	}

	// A later run: a stopped road fails every delivery.
	stopped := stoppedRoad(t)
	var sent []string
	s2, err := openSpool(dir, quietLog(), func(master string, msg body.Map) (*road.Delivery, error) {
		sent = append(sent, master)
		return stopped.Transmit(msg, 2, 0), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.pending(); !sameKeys(got, jid) {
		t.Errorf("the next run found %v, want %s only", got, jid)
	}
	s2.flush("b_master")
	if len(sent) != 0 {
		t.Errorf("flushed to %v, which is not its master", sent)
	}
	s2.flush("a_master")
	if !s2.idle(deadline) {
		t.Fatal("delivery still under way")
	}
	if !sameKeys(sent, "a_master") {
		t.Errorf("sent to %v", sent)
	}
	msg, ok := spooledOnDisk(t, dir)[jid]
	if !ok {
		t.Fatalf("undelivered return gone")
	}
	if got, _ := msg.Map("load"); !isReturn(jid)(got) {
		t.Errorf("spooled %v", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "20260101000000000009")); err != nil {
		t.Errorf("unreadable file removed: %v", err)
	}
}

// stoppedRoad is a road stack that has stopped: every Transmit fails.
func stoppedRoad(t *testing.T) *road.Stack {
	t.Helper()
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := keysFor(t, "stopped")
	s, err := road.NewStack(road.Config{Name: "stopped", Signer: signer, Privateer: priv, Conn: conn})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Run(ctx)
	if err := s.Transmit(body.Map{}, 2, 0).Err(); !errors.Is(err, road.ErrStopped) {
		t.Fatalf("transmit on a stopped road: %v", err)
	}
	return s
}

// Returns a previous run could not deliver go to the master once it is
// allowed, and their files then go.
func TestSpoolOfPreviousRunDelivered(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	s, err := openSpool(filepath.Join(e.cfg.Cachedir, SpoolDir), quietLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	jid := newJID()
	rc := int64(0)
	load := job.ReturnLoad(job.Return{Success: true, Return: "from before", Retcode: &rc, JID: jid, Fun: "test.echo",
		FunArgs: []any{"from before"}, ID: "m1"})
	if err := s.put(jid, masterEstate, ReturnMessage("m1_minion", masterEstate, load)); err != nil {
		t.Fatal(err)
	}
	r := e.start("127.0.0.1:0")
	checkReturn(t, fm.waitReturn(jid), jid, "test.echo", true, 0, []any{"from before"}, "")
	waitFor(t, "the spool to empty", func() bool { return len(r.m.Spooled()) == 0 })
	if _, ok := spooledOnDisk(t, filepath.Join(e.cfg.Cachedir, SpoolDir))[jid]; ok {
		t.Errorf("delivered return still on disk")
	}
}

// New refuses what it cannot run with, and Close releases a minion never
// run: its manor socket goes.
func TestNewAndClose(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("New(nil) worked")
	}
	e := newEnv(t, netipPort(4506), "")
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(e.cfg, nil, WithRoadConn(conn), WithGrains(map[string]any{"id": "m1"}))
	if err != nil {
		t.Fatal(err)
	}
	sock := m.LaneAddr()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("no manor socket: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.cfg.PKIDir, "local.key")); err != nil {
		t.Errorf("no local.key made: %v", err)
	}
	m.Close()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("manor socket left after Close: %v", err)
	}
	if err := m.Run(context.Background()); err == nil {
		t.Error("Run after Close worked")
	}
}

// A return an earlier version left as a file of its own is still sent
// once the master is allowed, and its file then goes.
func TestSpoolFileOfEarlierVersionDelivered(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	dir := filepath.Join(e.cfg.Cachedir, SpoolDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	jid := newJID()
	rc := int64(0)
	load := job.ReturnLoad(job.Return{Success: true, Return: "from a file", Retcode: &rc, JID: jid, Fun: "test.echo",
		FunArgs: []any{"from a file"}, ID: "m1"})
	data, err := body.Encode(raet.BodyMsgpack, ReturnMessage("m1_minion", masterEstate, load))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, jid), data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.start("127.0.0.1:0")
	checkReturn(t, fm.waitReturn(jid), jid, "test.echo", true, 0, []any{"from a file"}, "")
	waitFor(t, "the spool to empty", func() bool { return len(r.m.Spooled()) == 0 })
	if _, err := os.Stat(filepath.Join(dir, jid)); !os.IsNotExist(err) {
		t.Errorf("delivered return's file still there: %v", err)
	}
}

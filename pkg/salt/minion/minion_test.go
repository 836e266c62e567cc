package minion

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// checkRoute compares a message's route with the contract's.
func checkRoute(t *testing.T, msg route.Message, src, dst route.Addr) {
	t.Helper()
	if msg.Route.Src != src || msg.Route.Dst != dst {
		t.Errorf("route %v, want src %v dst %v", msg.Route, src, dst)
	}
	if msg.FromEstate != "m1_minion" {
		t.Errorf("signed by %q, want m1_minion", msg.FromEstate)
	}
}

// checkReturn checks a return message field by field against the
// contract: route, key order, and the values.
func checkReturn(t *testing.T, msg route.Message, jid, fun string, success bool, retcode int64, funArgs []any, out string) body.Map {
	t.Helper()
	checkRoute(t, msg, route.Addr{Estate: "m1_minion", Yard: "jobber", Share: "jid_ret"},
		route.Addr{Estate: masterEstate, Share: "remote_cmd"})
	load := loadOf(t, msg)
	keys := []string{"success", "return", "retcode", "jid", "fun", "fun_args", "cmd", "id"}
	if out != "" {
		keys = append(keys, "out")
	}
	if !sameKeys(load.Keys(), keys...) {
		t.Errorf("return load keys %v, want %v", load.Keys(), keys)
	}
	want := map[string]any{"success": success, "retcode": retcode, "jid": jid, "fun": fun, "cmd": "_return", "id": "m1"}
	if out != "" {
		want["out"] = out
	}
	for k, v := range want {
		if got := field(t, load, k); got != v {
			t.Errorf("%s: %s = %#v, want %#v", fun, k, got, v)
		}
	}
	if got := field(t, load, "fun_args"); !reflect.DeepEqual(got, funArgs) {
		t.Errorf("%s: fun_args = %#v, want %#v", fun, got, funArgs)
	}
	return load
}

// One minion against a fake master: join, allow, grains, and the jobs of
// the contract, each return checked field by field.
func TestMinionServesJobs(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "grains:\n  roles: [web]\n")
	r := e.start("127.0.0.1:0")

	// The pillar request, with the grains, on a track of its own so that
	// the master's reply carries the pillar back (issue 12).
	pillar := fm.waitCmd("_pillar request", isCmd("_pillar"))
	if len(pillar.Route.Src.Share) != 18 {
		t.Errorf("pillar request track %q, want 18 characters", pillar.Route.Src.Share)
	}
	checkRoute(t, pillar, route.Addr{Estate: "m1_minion", Share: pillar.Route.Src.Share}, route.Addr{Estate: masterEstate, Share: "remote_cmd"})
	load := loadOf(t, pillar)
	if !sameKeys(load.Keys(), "id", "grains", "saltenv", "pillarenv", "pillar_override", "ver", "cmd") {
		t.Errorf("pillar load keys %v", load.Keys())
	}
	if id, _ := load.String("id"); id != "m1" {
		t.Errorf("pillar id %q", id)
	}
	if v, _ := load.String("ver"); v != "2" {
		t.Errorf("pillar ver %q", v)
	}
	if v := field(t, load, "saltenv"); v != nil {
		t.Errorf("pillar saltenv %#v", v)
	}
	g, ok := load.Map("grains")
	if !ok {
		t.Fatalf("grains %#v", field(t, load, "grains"))
	}
	if id, _ := g.String("id"); id != "m1" {
		t.Errorf("grain id %q", id)
	}
	if roles, _ := g.Get("roles"); !reflect.DeepEqual(roles, []any{"web"}) {
		t.Errorf("static grain roles %#v", roles)
	}
	// Both sides keep the other's key.
	if _, err := os.Stat(filepath.Join(e.cfg.PKIDir, "accepted", masterRole)); err != nil {
		t.Errorf("the minion did not keep the master's key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fm.dir, "pki", "accepted", "m1")); err != nil {
		t.Errorf("the master did not accept the minion's key: %v", err)
	}

	// test.ping
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	ret := checkReturn(t, fm.waitReturn(jid), jid, "test.ping", true, 0, []any{}, "")
	if v := field(t, ret, "return"); v != true {
		t.Errorf("test.ping returned %#v", v)
	}

	// test.arg 1 two k=v, as the CLI parses it.
	jid = newJID()
	kw := body.Map{{Key: "__kwarg__", Value: true}, {Key: "k", Value: "v"}}
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "test.arg", int64(1), "two", kw))
	ret = checkReturn(t, fm.waitReturn(jid), jid, "test.arg", true, 0,
		[]any{int64(1), "two", body.Map{{Key: "k", Value: "v"}}}, "")
	rv, _ := ret.Map("return")
	if args, _ := rv.Get("args"); !reflect.DeepEqual(args, []any{int64(1), "two"}) {
		t.Errorf("test.arg args %#v", args)
	}
	kwargs, _ := rv.Map("kwargs")
	if v, _ := kwargs.String("k"); v != "v" {
		t.Errorf("test.arg kwargs %v", kwargs)
	}
	if v, _ := kwargs.String("__pub_jid"); v != jid {
		t.Errorf("test.arg __pub_jid %q, want %s", v, jid)
	}
	if kwargs.Has("__kwarg__") {
		t.Errorf("test.arg kwargs kept __kwarg__: %v", kwargs)
	}

	// cmd.run "echo hi"
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "cmd.run", "echo hi"))
	ret = checkReturn(t, fm.waitReturn(jid), jid, "cmd.run", true, 0, []any{"echo hi"}, "")
	if v := field(t, ret, "return"); v != "hi" {
		t.Errorf("cmd.run returned %#v", v)
	}

	// A failing command's exit code is the job's retcode, and it did not succeed.
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "cmd.run", "exit 3"))
	checkReturn(t, fm.waitReturn(jid), jid, "cmd.run", false, 3, []any{"exit 3"}, "")

	// An unknown function.
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "no.such"))
	ret = checkReturn(t, fm.waitReturn(jid), jid, "no.such", false, 1, []any{}, "nested")
	if v := field(t, ret, "return"); v != "'no.such' is not available." {
		t.Errorf("unknown function returned %#v", v)
	}

	// Targets: what matches returns, what does not stays silent.
	matching := []struct {
		tgt     any
		tgtType string
	}{
		{"m?", "glob"},
		{`^m\d$`, "pcre"},
		{[]any{"a", "m1"}, "list"},
		{"a,m1", "list"},
		{"roles:web", "grain"},
		{"G@roles:web and m*", "compound"},
	}
	for _, tc := range matching {
		jid := newJID()
		fm.publish("m1_minion", pubLoad(jid, tc.tgt, tc.tgtType, "test.ping"))
		checkReturn(t, fm.waitReturn(jid), jid, "test.ping", true, 0, []any{}, "")
	}
	notMatching := []struct {
		tgt     any
		tgtType string
	}{
		{"web*", "glob"},
		{`^x`, "pcre"},
		{[]any{"m10"}, "list"},
		{"roles:db", "grain"},
		{"(?<=m)1", "pcre"}, // RE2 cannot: not run
	}
	var silent []string
	for _, tc := range notMatching {
		jid := newJID()
		silent = append(silent, jid)
		fm.publish("m1_minion", pubLoad(jid, tc.tgt, tc.tgtType, "test.ping"))
	}
	// The same jid published twice runs once.
	dup := newJID()
	fm.publish("m1_minion", pubLoad(dup, "*", "glob", "test.ping"))
	fm.publish("m1_minion", pubLoad(dup, "*", "glob", "test.ping"))
	fm.waitReturn(dup)
	// A job published after all of them has returned: the others had
	// their chance.
	last := newJID()
	fm.publish("m1_minion", pubLoad(last, "*", "glob", "test.echo", "done"))
	fm.waitReturn(last)
	for _, jid := range silent {
		if n := fm.count(isReturn(jid)); n != 0 {
			t.Errorf("job %s was not for this minion, but it returned %d times", jid, n)
		}
	}
	if n := fm.count(isReturn(dup)); n != 1 {
		t.Errorf("job %s published twice returned %d times", dup, n)
	}

	// Every return was delivered, so none is left in the spool: its log
	// records each delivered (it is emptied only once it has grown).
	waitFor(t, "an empty spool", func() bool { return len(r.m.Spooled()) == 0 })
	entries, _ := os.ReadDir(filepath.Join(e.cfg.Cachedir, SpoolDir))
	for _, ent := range entries {
		if ent.Name() != SpoolLogFile {
			t.Errorf("spool directory holds %s", ent.Name())
			continue
		}
		data, err := os.ReadFile(filepath.Join(e.cfg.Cachedir, SpoolDir, ent.Name()))
		l := &spoolLog{live: map[string]spoolLogEntry{}}
		if whole := l.parse(data); err != nil || whole != int64(len(data)) || len(l.live) != 0 {
			t.Errorf("the spool's log holds %d returns (%d of %d bytes whole, %v)", len(l.live), whole, len(data), err)
		}
	}
}

// A job's proc file is there while it runs, find_job sees it, and it is
// gone once the job has returned.
func TestProcFileWhileJobRuns(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.sleep", "1.5"))
	proc := filepath.Join(e.cfg.Cachedir, "proc", jid)
	rec := awaitProcFile(t, proc)
	// The job runs in a process of its own (multiprocessing: true), a
	// child of the minion.
	if pid, _ := rec.Int("pid"); pid == int64(os.Getpid()) || parentPID(t, int(pid)) != os.Getpid() {
		t.Errorf("proc pid %d: not a job process of the minion (pid %d)", pid, os.Getpid())
	}
	if fun, _ := rec.String("fun"); fun != "test.sleep" {
		t.Errorf("proc fun %q", fun)
	}
	if j, _ := rec.String("jid"); j != jid {
		t.Errorf("proc jid %q", j)
	}
	if arg, _ := rec.Get("arg"); !reflect.DeepEqual(arg, []any{"1.5"}) {
		t.Errorf("proc arg %#v", arg)
	}
	if running := r.m.Running(); len(running) != 1 || running[0]["jid"] != jid {
		t.Errorf("Running() = %v", running)
	}

	// saltutil.find_job sees the running job.
	find := newJID()
	fm.publish("m1_minion", pubLoad(find, "*", "glob", "saltutil.find_job", jid))
	ret := loadOf(t, fm.waitReturn(find))
	found, _ := ret.Map("return")
	if j, _ := found.String("jid"); j != jid {
		t.Errorf("find_job while running returned %v", found)
	}
	if fm.count(isReturn(jid)) != 0 {
		t.Fatal("test.sleep returned before find_job: the test needs a longer sleep")
	}

	ret = loadOf(t, fm.waitReturn(jid))
	if v, _ := ret.Get("return"); v != true {
		t.Errorf("test.sleep returned %#v", v)
	}
	waitFor(t, "the proc file to go", func() bool { _, err := os.Stat(proc); return os.IsNotExist(err) })
	waitFor(t, "no running job", func() bool { return len(r.m.Running()) == 0 })

	find = newJID()
	fm.publish("m1_minion", pubLoad(find, "*", "glob", "saltutil.find_job", jid))
	ret = loadOf(t, fm.waitReturn(find))
	if found, _ := ret.Map("return"); len(found) != 0 {
		t.Errorf("find_job after the job returned %v, want {}", found)
	}
}

// A return the master cannot take while it is down stays on disk, and goes
// to the master once it is back (same address, keys and keep); only then is
// the file removed.
func TestReturnSpooledWhileMasterDown(t *testing.T) {
	t.Parallel()
	masterDir := t.TempDir()
	fm := startMaster(t, masterDir, "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0", WithReturnTimeout(time.Second))
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.sleep", "0.5"))
	proc := filepath.Join(e.cfg.Cachedir, "proc", jid)
	waitFor(t, "the job to start", func() bool { _, err := os.Stat(proc); return err == nil })
	fm.stop()

	// The job ends, its return fails to go and stays.
	e.hook.wait(t, "Return of job "+jid+" not delivered", 1)
	spoolDir := filepath.Join(e.cfg.Cachedir, SpoolDir)
	msg, ok := spooledOnDisk(t, spoolDir)[jid]
	if !ok {
		t.Fatalf("the undelivered return is not on disk")
	}
	rt, err := route.ParseRoute(msg)
	if err != nil || rt.Dst.Estate != masterEstate || rt.Dst.Share != "remote_cmd" {
		t.Errorf("spooled route %v (%v)", rt, err)
	}
	if load, _ := msg.Map("load"); !isReturn(jid)(load) {
		t.Errorf("spooled load %v", load)
	}
	if got := r.m.Spooled(); !sameKeys(got, jid) {
		t.Errorf("Spooled() = %v", got)
	}

	// The master comes back where it was, with its keep.
	fm2 := startMaster(t, masterDir, fm.addr.String())
	ret := loadOf(t, fm2.waitReturn(jid))
	if v, _ := ret.Get("return"); v != true {
		t.Errorf("the spooled return says %#v", v)
	}
	waitFor(t, "the return to leave the spool", func() bool { _, ok := spooledOnDisk(t, spoolDir)[jid]; return !ok })
	// And it had the grains again after the new allow.
	fm2.waitCmd("_pillar request after the master's restart", isCmd("_pillar"))
	if n := fm2.count(isReturn(jid)); n != 1 {
		t.Errorf("the master got the return %d times", n)
	}
}

// A minion stopped and started again (same local.key, same port) joins the
// master again, which knows it: no operator needed.
func TestMinionRestartRejoins(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r1 := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	fm.waitReturn(jid)
	keyBefore, err := os.ReadFile(filepath.Join(e.cfg.PKIDir, pki.LocalKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	uidBefore := keptMasterUID(t, e)
	r1.stop(t)
	if _, err := os.Stat(filepath.Join(e.cfg.SockDir, "m1_minion.manor.uxd")); !os.IsNotExist(err) {
		t.Errorf("the manor socket outlived the minion: %v", err)
	}

	r2 := e.start(r1.addr)
	if r2.addr != r1.addr {
		t.Fatalf("restarted on %s, not %s", r2.addr, r1.addr)
	}
	waitFor(t, "a second pillar request", func() bool { return fm.count(isCmd("_pillar")) >= 2 })
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	checkReturn(t, fm.waitReturn(jid), jid, "test.ping", true, 0, []any{}, "")
	keyAfter, err := os.ReadFile(filepath.Join(e.cfg.PKIDir, pki.LocalKeyFile))
	if err != nil || string(keyAfter) != string(keyBefore) {
		t.Errorf("local.key changed across the restart (%v)", err)
	}
	if uid := keptMasterUID(t, e); uid != uidBefore {
		t.Errorf("the master's estate uid went from %d to %d: an immutable master would refuse the join", uidBefore, uid)
	}
}

// keptMasterUID reads the uid the minion's keep gives the master.
func keptMasterUID(t *testing.T, e *env) uint32 {
	t.Helper()
	k, err := keep.Open(filepath.Join(e.cfg.Cachedir, "raet", "m1_minion"), keep.KindJSON, raet.AutoNever)
	if err != nil {
		t.Fatal(err)
	}
	remotes, err := k.LoadRemotes()
	if err != nil || len(remotes) != 1 || remotes[0].Name != masterEstate {
		t.Fatalf("kept remotes %v (%v)", remotes, err)
	}
	return remotes[0].UID
}

// A master whose key is not the one the minion accepted before is refused
// and said so at error; the minion keeps running and the key it knows
// stays.
func TestChangedMasterKeyRefused(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	store, err := pki.Open(e.cfg.PKIDir, pki.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	oldSigner, oldPriv := keysFor(t, "the master's old keys")
	if st, err := store.Status(masterRole, oldPriv.PubHex(), oldSigner.VerHex()); err != nil || st != raet.Accepted {
		t.Fatalf("%v %v", st, err)
	}
	r := e.start("127.0.0.1:0")

	lines := e.hook.wait(t, `Refusing master "saltmaster"`, 1)
	if !strings.HasPrefix(lines[0], "ERROR") || !strings.Contains(lines[0], "keys do not match") {
		t.Errorf("refusal logged as %q, want an error saying why", lines[0])
	}
	e.hook.wait(t, "joining it again in", 1)
	select {
	case err := <-r.done:
		t.Fatalf("the minion stopped: %v", err)
	default:
	}
	if n := fm.count(isCmd("_pillar")); n != 0 {
		t.Errorf("the refused master got %d pillar requests", n)
	}
	k, err := store.Read(masterRole, raet.Accepted)
	if err != nil || k.Verify != oldSigner.VerHex() || k.Pub != oldPriv.PubHex() {
		t.Errorf("the accepted master key changed: %+v %v", k, err)
	}
}

// A local tool's remote_cmd on the minion's lane goes to the master.
func TestLaneRemoteCmdGoesToMaster(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	tool, err := lane.NewStack(lane.Config{Name: "tool", Lane: "m1_minion", Dir: e.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-tool.Stopped() }()
	go tool.Run(ctx)
	msg := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "src", Value: []any{nil, "tool", "track1"}},
			{Key: "dst", Value: []any{nil, "manor", "remote_cmd"}},
		}},
		{Key: "load", Value: body.Map{{Key: "cmd", Value: "_minion_event"}, {Key: "id", Value: "m1"}}},
	}
	if err := tool.Transmit(msg, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	got := fm.waitCmd("the tool's request", isCmd("_minion_event"))
	checkRoute(t, got, route.Addr{Estate: "m1_minion", Yard: "tool", Share: "track1"},
		route.Addr{Estate: masterEstate, Share: "remote_cmd"})
}

// At shutdown a job that ends within the grace returns as usual; one that
// does not is cancelled, and says so in its return; both reach the master.
func TestShutdownLetsJobsFinish(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0", WithShutdownGrace(time.Second))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	short, long := newJID(), newJID()
	fm.publish("m1_minion", pubLoad(short, "*", "glob", "test.sleep", "0.3"))
	fm.publish("m1_minion", pubLoad(long, "*", "glob", "test.sleep", "60"))
	waitFor(t, "both jobs to run", func() bool { return len(r.m.Running()) == 2 })
	began := time.Now()
	r.stop(t)
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("shutdown took %v with a grace of 1 s", d)
	}
	ret := loadOf(t, fm.waitReturn(short))
	if v, _ := ret.Get("return"); v != true {
		t.Errorf("the job within the grace returned %#v", v)
	}
	ret = loadOf(t, fm.waitReturn(long))
	if v, _ := ret.String("return"); !strings.Contains(v, "cancelled") {
		t.Errorf("the cancelled job returned %q", v)
	}
	if ok, _ := ret.Bool("success"); ok {
		t.Error("the cancelled job succeeded")
	}
	if procs, _ := os.ReadDir(filepath.Join(e.cfg.Cachedir, "proc")); len(procs) != 0 {
		t.Errorf("proc files left: %v", procs)
	}
}

// awaitProcFile waits for a job's proc file and reads its record.
func awaitProcFile(t *testing.T, proc string) body.Map {
	t.Helper()
	waitFor(t, "the proc file", func() bool { _, err := os.Stat(proc); return err == nil })
	data, err := os.ReadFile(proc)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := body.Decode(raet.BodyMsgpack, data)
	if err != nil {
		t.Fatalf("proc file %s is not msgpack: %v", proc, err)
	}
	return rec
}

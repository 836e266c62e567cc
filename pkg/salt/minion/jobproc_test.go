package minion

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/proctree"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// runJob publishes fun to the minion m1 and returns its return load.
func runJob(t *testing.T, fm *fakeMaster, fun string, args ...any) body.Map {
	t.Helper()
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", fun, args...))
	return loadOf(t, fm.waitReturn(jid))
}

// startJob publishes fun to m1 and waits until it runs in a process of
// its own: its jid and that pid.
func startJob(t *testing.T, fm *fakeMaster, r *running, fun string, args ...any) (string, int) {
	t.Helper()
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", fun, args...))
	return jid, jobPID(t, r, jid)
}

// jobPID waits until the job runs and returns the pid of its record.
func jobPID(t *testing.T, r *running, jid string) int {
	t.Helper()
	var pid int
	waitFor(t, "job "+jid+" to run in a process", func() bool {
		for _, rec := range r.m.Running() {
			if rec["jid"] == jid && rec["pid"] != os.Getpid() {
				pid, _ = rec["pid"].(int)
				return pid > 0
			}
		}
		return false
	})
	return pid
}

// saltutil.kill_job stops a job with the commands it started, well before
// the job would have ended, with Salt's sentence; the killed job returns
// saying so, and the minion goes on serving.
func TestKillJobStopsTheJobAndItsCommands(t *testing.T) {
	t.Parallel()
	fm, _, r := startJoined(t)
	long, pid := startJob(t, fm, r, "cmd.run", "sleep 60; echo done")
	var below []int
	waitFor(t, "the job's command", func() bool { below = proctree.Descendants("", pid); return len(below) > 0 })

	began := time.Now()
	ret := runJob(t, fm, "saltutil.kill_job", long)
	if got, want := field(t, ret, "return"), fmt.Sprintf("Signal 9 sent to job %s at pid %d", long, pid); got != want {
		t.Fatalf("kill_job returned %q, want %q", got, want)
	}
	killed := loadOf(t, fm.waitReturn(long))
	took := time.Since(began)
	if took > 30*time.Second {
		t.Errorf("the killed job returned after %v", took)
	}
	t.Logf("kill_job to the killed job's return: %v", took)
	if msg := py.Str(field(t, killed, "return")); !strings.Contains(msg, "killed by signal 9") ||
		field(t, killed, "retcode") != int64(1) || field(t, killed, "success") != false {
		t.Errorf("the killed job returned %v", killed)
	}
	for _, p := range below {
		waitFor(t, fmt.Sprintf("the job's command %d to end", p), func() bool { return !isAlive(p) })
	}
	if ret := runJob(t, fm, "test.ping"); field(t, ret, "return") != true {
		t.Errorf("test.ping after the kill returned %v", ret)
	}
	if ret := runJob(t, fm, "saltutil.kill_job", long); field(t, ret, "return") != "" {
		t.Errorf("kill_job of a job that ended returned %q", field(t, ret, "return"))
	}
}

// The pid saltutil.running shows is the job's own process: killing it ends
// the job, never the minion.
func TestKillingARunningPidKillsOnlyTheJob(t *testing.T) {
	t.Parallel()
	fm, _, r := startJoined(t)
	long, _ := startJob(t, fm, r, "test.sleep", "60")
	ret := runJob(t, fm, "saltutil.running")
	recs, _ := field(t, ret, "return").([]any)
	if len(recs) != 1 {
		t.Fatalf("saltutil.running returned %v", ret)
	}
	rec, _ := recs[0].(body.Map)
	pid, _ := rec.Int("pid")
	if pid == int64(os.Getpid()) || parentPID(t, int(pid)) != os.Getpid() {
		t.Fatalf("saltutil.running shows pid %d; the minion is %d", pid, os.Getpid())
	}
	if err := syscall.Kill(int(pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := loadOf(t, fm.waitReturn(long))
	if msg := py.Str(field(t, killed, "return")); !strings.Contains(msg, "killed by signal 9") {
		t.Errorf("the killed job returned %v", killed)
	}
	if ret := runJob(t, fm, "test.ping"); field(t, ret, "return") != true {
		t.Errorf("test.ping after the kill returned %v", ret)
	}
}

// saltutil.term_job cancels a job, which returns as a cancelled job.
func TestTermJobCancelsTheJob(t *testing.T) {
	t.Parallel()
	fm, _, r := startJoined(t)
	long, pid := startJob(t, fm, r, "test.sleep", "60")
	ret := runJob(t, fm, "saltutil.term_job", long)
	if got, want := field(t, ret, "return"), fmt.Sprintf("Signal 15 sent to job %s at pid %d", long, pid); got != want {
		t.Fatalf("term_job returned %q, want %q", got, want)
	}
	termed := loadOf(t, fm.waitReturn(long))
	if msg := py.Str(field(t, termed, "return")); msg != "ERROR: test.sleep was cancelled: terminated by signal 15" ||
		field(t, termed, "retcode") != int64(1) {
		t.Errorf("the terminated job returned %v", termed)
	}
}

// One state run at a time across the job processes: a second is refused
// with the first's pid and jid while the first runs, and runs once the
// first was killed.
func TestStateRunsOneAtATimeAcrossProcesses(t *testing.T) {
	t.Parallel()
	fm, _, r := startJoined(t)
	first, pid := startJob(t, fm, r, "state.single", "cmd.run", "name=sleep 60")
	waitFor(t, "the state's command", func() bool { return len(proctree.Descendants("", pid)) > 0 })

	ret := runJob(t, fm, "state.single", "test.nop", "name=x")
	list, _ := field(t, ret, "return").([]any)
	prefix := fmt.Sprintf(`The function "state.single" is running as PID %d and was started at `, pid)
	if len(list) != 1 || !strings.HasPrefix(py.Str(list[0]), prefix) ||
		!strings.HasSuffix(py.Str(list[0]), "with jid "+first) || field(t, ret, "retcode") != int64(1) {
		t.Fatalf("a second state run returned %v; want the refusal naming pid %d and jid %s", ret, pid, first)
	}
	runJob(t, fm, "saltutil.kill_job", first)
	fm.waitReturn(first)
	ret = runJob(t, fm, "state.single", "test.nop", "name=x")
	if field(t, ret, "retcode") != int64(0) {
		t.Errorf("the state run after the kill returned %v", ret)
	}
}

func isAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// a zombie has ended; it waits for its parent to reap it
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

// saltutil.refresh_pillar without wait returns at once, and the refresh it
// leaves running still happens though its job process has sent its
// result: the minion's pillar is the new one.
func TestRefreshPillarLeftRunningByAJobProcess(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	fr := &fakeRequester{pillar: body.Map{{Key: "role", Value: "db"}}}
	r := e.start("127.0.0.1:0", withPillarRequester(fr))
	waitFor(t, "the pillar in memory", func() bool { return r.m.Pillar()["role"] == "db" })
	fr.mu.Lock()
	fr.pillar = body.Map{{Key: "role", Value: "web"}}
	fr.mu.Unlock()
	if ret := runJob(t, fm, "saltutil.refresh_pillar"); field(t, ret, "return") != true {
		t.Fatalf("refresh_pillar returned %v", ret)
	}
	waitFor(t, "the new pillar in memory", func() bool { return r.m.Pillar()["role"] == "web" })
}

// A job process that SIGTERM ended before it could catch the signal (sent
// as it started) returns as a job cancelled by it, not as one killed: the
// job was terminated all the same, and term_job says it sent signal 15.
func TestJobEndedBySIGTERMReturnsCancelled(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		want string
	}{
		{syscall.SIGTERM, "ERROR: test.sleep was cancelled: terminated by signal 15"},
		{syscall.SIGKILL, "was killed by signal 9"},
	} {
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmd.Process.Signal(c.sig) //nolint:errcheck
		err := cmd.Wait()
		p := &jobProcess{m: &Minion{log: logrus.New()}, cmd: cmd}
		res := p.ended(protocol.Pub{Jid: "20260101000000000001", Fun: "test.sleep"}, err)
		if got := fmt.Sprint(res.Return); !strings.Contains(got, c.want) || res.Retcode != 1 {
			t.Errorf("ended by %v: %q, retcode %d; want %q", c.sig, got, res.Retcode, c.want)
		}
	}
}

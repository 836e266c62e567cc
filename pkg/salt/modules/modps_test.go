package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestPs: a process this test starts is found, described and killed.
func TestPs(t *testing.T) {
	cmd := exec.Command("sleep", "3600.0419")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := int64(cmd.Process.Pid)
	e := New(Options{})

	wantOK(t, run(e, "ps.pgrep", "sleep 3600.0419", kw("full", true)), []any{pid})
	wantOK(t, run(e, "ps.pgrep", `sleep 3600\.041[9]`, kw("full", true, "pattern_is_regex", true)), []any{pid})
	wantOK(t, run(e, "ps.pgrep", "no-such-process-xyzzy"), nil)
	if r := run(e, "ps.pgrep", "sleep"); !contains(r.Return.([]any), pid) {
		t.Errorf("pgrep sleep = %v, lacks %d", r.Return, pid)
	}

	testutil.WaitFor(t, "sleep to sleep", 10*time.Second, func() bool {
		p, ok := readProcess(int(pid))
		return ok && p.status() == "sleeping" && p.comm == "sleep"
	})
	info := mapOf(t, run(e, "ps.proc_info", pid, kw("attrs", []any{"cmdline", "name", "ppid", "status", "exe"})).Return)
	want := body.Map{{Key: "cmdline", Value: []any{"sleep", "3600.0419"}}, {Key: "exe", Value: mustLookPath(t, "sleep")},
		{Key: "name", Value: "sleep"}, {Key: "ppid", Value: int64(os.Getpid())}, {Key: "status", Value: "sleeping"}}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("proc_info = %#v\nwant %#v", info, want)
	}
	wantError(t, run(e, "ps.proc_info", pid, kw("attrs", []any{"bogus"})), "The minion function caused an exception: ValueError: invalid attr name 'bogus'")
	all := mapOf(t, run(e, "ps.proc_info", pid).Return)
	if mi, _ := all.Get("memory_info"); len(mi.([]any)) != 7 || mi.([]any)[0].(int64) <= 0 {
		t.Errorf("memory_info = %#v", mi)
	}

	wantOK(t, run(e, "ps.kill_pid", pid, kw("signal", 9)), true)
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Errorf("sleep ended with %v, want killed by signal 9", err)
	}
	wantOK(t, run(e, "ps.kill_pid", pid), false)
	wantError(t, run(e, "ps.proc_info", pid), "ERROR: process no longer exists")

	top := run(e, "ps.top", kw("num_processes", 2, "interval", 0.05)).Return.([]any)
	if len(top) != 2 || !reflect.DeepEqual(top[0].(body.Map).Keys(), []string{"cmd", "user", "status", "pid", "create_time", "cpu", "mem"}) {
		t.Errorf("ps.top = %#v", top)
	}
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skip(err)
	}
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

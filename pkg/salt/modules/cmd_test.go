package modules

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestCmdRunOutput(t *testing.T) {
	e := New(Options{})
	wantOK(t, run(e, "cmd.run", "echo hi"), "hi")
	// All trailing whitespace goes, as str.rstrip() removes it; leading stays.
	wantOK(t, run(e, "cmd.run", `printf '  a\n\n \t\n'`), "  a")
	wantOK(t, run(e, "cmd.run", `printf 'a\n'`, kw("rstrip", false)), "a\n")
	// cmd.run merges standard error into the output, in order.
	wantOK(t, run(e, "cmd.run", "echo out; echo err >&2; echo out2"), "out\nerr\nout2")
	wantOK(t, run(e, "cmd.run", "echo secret", kw("hide_output", true)), "")
	wantOK(t, run(e, "cmd.run_stdout", "echo out; echo err >&2"), "out")
	wantOK(t, run(e, "cmd.run_stderr", "echo out; echo err >&2"), "err")
	wantOK(t, run(e, "cmd.shell", "echo a | tr a b"), "b")
	// Invalid UTF-8 is replaced byte by byte, not dropped.
	wantOK(t, run(e, "cmd.run", `printf 'a\377\376b'`), "a\uFFFD\uFFFDb")
	// stdin, with the CLI's literal \n turned into newlines.
	wantOK(t, run(e, "cmd.run", "cat", kw("stdin", `one\ntwo`)), "one\ntwo")
}

func TestCmdRunAll(t *testing.T) {
	e := New(Options{})
	r := run(e, "cmd.run_all", "echo out; echo err >&2; exit 3")
	m, ok := r.Return.(body.Map)
	if !ok {
		t.Fatalf("cmd.run_all returned %#v", r.Return)
	}
	if !reflect.DeepEqual(m.Keys(), []string{"pid", "retcode", "stdout", "stderr"}) {
		t.Fatalf("cmd.run_all keys %v", m.Keys())
	}
	pid, _ := m.Int("pid")
	rc, _ := m.Int("retcode")
	if pid <= 0 || rc != 3 || m[2].Value != "out" || m[3].Value != "err" {
		t.Fatalf("cmd.run_all = %#v", m)
	}
	// The command's exit code is the job's.
	if r.Retcode != 3 || r.Success {
		t.Fatalf("job retcode/success = %d/%v, want 3/false", r.Retcode, r.Success)
	}
}

// TestCmdRetcodePropagation: in Salt 3006 the job's retcode is the
// command's exit code (cmdmod._run sets __context__["retcode"]), so
// `salt '*' cmd.run false` ends in "Minions returned with non-zero exit
// code"; 03-cmd.run.json shows the 0 case.
func TestCmdRetcodePropagation(t *testing.T) {
	e := New(Options{})
	r := run(e, "cmd.run", "echo failing; exit 2")
	if r.Return != "failing" || r.Retcode != 2 || r.Success || r.Out != "" {
		t.Fatalf("cmd.run exit 2 = %#v", r)
	}
	r = run(e, "cmd.retcode", "exit 5")
	if r.Return != 5 || r.Retcode != 5 || r.Success {
		t.Fatalf("cmd.retcode exit 5 = %#v", r)
	}
	// ignore_retcode keeps the job successful; the return still tells.
	r = run(e, "cmd.retcode", "exit 5", kw("ignore_retcode", true))
	if r.Return != 5 || r.Retcode != 0 || !r.Success {
		t.Fatalf("cmd.retcode ignore_retcode = %#v", r)
	}
	// success_retcodes turns listed codes into 0, as a list or a string.
	wantOK(t, run(e, "cmd.retcode", "exit 4", kw("success_retcodes", []any{int64(4)})), 0)
	wantOK(t, run(e, "cmd.run", "exit 4", kw("success_retcodes", "1, 4")), "")
	wantOK(t, run(e, "cmd.run", "echo warning; exit 1", kw("success_stdout", "warn")), "warning")
	wantError(t, run(e, "cmd.run", "true", kw("success_retcodes", "x")), "ERROR executing 'cmd.run': success_retcodes must be a list of integers")
	// raise_err makes a failure an error whose text is the output.
	wantError(t, run(e, "cmd.run", "echo broken; exit 1", kw("raise_err", true)), "ERROR: broken")
	// A signal shows as its negative number, as Popen.returncode does.
	r = run(e, "cmd.retcode", "kill -TERM $$")
	if r.Return != -int(syscall.SIGTERM) || r.Retcode != -int(syscall.SIGTERM) {
		t.Fatalf("killed command = %#v", r)
	}
}

func TestCmdEnvAndCwd(t *testing.T) {
	e := New(Options{})
	dir := t.TempDir()
	wantOK(t, run(e, "cmd.run", "pwd", kw("cwd", dir)), dir)
	wantError(t, run(e, "cmd.run", "pwd", kw("cwd", "/nonexistent/dir")),
		"ERROR: Specified cwd '/nonexistent/dir' either not absolute or does not exist")
	wantError(t, run(e, "cmd.run", "pwd", kw("cwd", "relative")),
		"ERROR: Specified cwd 'relative' either not absolute or does not exist")
	// Without cwd a command runs in the home directory, as Salt's does.
	home, _ := os.UserHomeDir()
	if info, err := os.Stat(home); err == nil && info.IsDir() {
		wantOK(t, run(e, "cmd.run", "pwd"), home)
	}

	env := body.Map{{Key: "FOO", Value: "bar"}, {Key: "NUM", Value: int64(7)}, {Key: "NONE", Value: nil}}
	wantOK(t, run(e, "cmd.run", `echo "$FOO $NUM [$NONE]"`, kw("env", env)), "bar 7 []")
	// A list of one-entry mappings works too (repack_dictlist).
	wantOK(t, run(e, "cmd.run", `echo $A$B`, kw("env", []any{body.Map{{Key: "A", Value: "1"}}, body.Map{{Key: "B", Value: "2"}}})), "12")
	// The locale is reset to C unless the caller sets it.
	wantOK(t, run(e, "cmd.run", `echo $LC_MESSAGES`), "C")
	wantOK(t, run(e, "cmd.run", `echo $LC_MESSAGES`, kw("env", body.Map{{Key: "LC_MESSAGES", Value: "fr_FR.UTF-8"}})), "fr_FR.UTF-8")
	// The minion's environment is inherited, unless clean_env.
	t.Setenv("SALTRAET_TEST_VAR", "inherited")
	wantOK(t, run(e, "cmd.run", `echo $SALTRAET_TEST_VAR`), "inherited")
	wantOK(t, run(e, "cmd.run", `echo "[$SALTRAET_TEST_VAR]"`, kw("clean_env", true)), "[]")
	wantOK(t, run(e, "cmd.run", `echo $PATH`, kw("prepend_path", "/opt/x/bin")), "/opt/x/bin:"+os.Getenv("PATH"))
	// A string env, which Salt would silently ignore, is refused.
	wantError(t, run(e, "cmd.run", "true", kw("env", "FOO=bar")), "ERROR: env must be a mapping")
}

// TestCmdPythonShell: a published job (with __pub_jid) runs through the
// shell by default; a local call, or python_shell=False, splits the
// command as shlex does and runs it directly.
func TestCmdPythonShell(t *testing.T) {
	e := New(Options{})
	cmd := "echo a | tr a b"
	wantOK(t, run(e, "cmd.run", cmd), "b")
	wantOK(t, e.Run(context.Background(), "cmd.run", []any{cmd}, Pub{}), "a | tr a b")
	wantOK(t, run(e, "cmd.run", cmd, kw("python_shell", false)), "a | tr a b")
	wantOK(t, run(e, "cmd.run", `printf '%s|' "a b" c`, kw("python_shell", false)), "a b|c|")
	// A list is an argument vector.
	wantOK(t, run(e, "cmd.run", []any{"printf", "%s-", "x y", int64(3)}, kw("python_shell", false)), "x y-3-")

	wantError(t, run(e, "cmd.run", "no-such-program-xyz arg", kw("python_shell", false)),
		"ERROR: Unable to run command '['no-such-program-xyz', 'arg']', reason: [Errno 2] No such file or directory: 'no-such-program-xyz'")
	wantError(t, run(e, "cmd.run", `echo "unterminated`, kw("python_shell", false)),
		"The minion function caused an exception: ValueError: No closing quotation")
	// Through the shell a missing program is the shell's exit code 127.
	if r := run(e, "cmd.run", "no-such-program-xyz"); r.Retcode != 127 || !strings.Contains(r.Return.(string), "not found") {
		t.Fatalf("missing program through the shell = %#v", r)
	}
	wantError(t, run(e, "cmd.run", "true", kw("shell", "/nonexistent/sh")), "ERROR: The shell /nonexistent/sh is not available")
	// The default shell comes from the options.
	bash := "/bin/bash"
	if _, err := os.Stat(bash); err == nil {
		wantOK(t, run(New(Options{Shell: bash}), "cmd.run", `echo $BASH_VERSION | cut -c1`), strings.TrimSpace(mustRun(t, bash, "-c", `echo $BASH_VERSION | cut -c1`)))
	}
	for _, name := range []string{"template", "umask", "group"} {
		wantError(t, run(e, "cmd.run", "true", kw(name, "x")), "ERROR: "+name+"=x is not supported")
	}
}

func mustRun(t *testing.T, argv ...string) string {
	t.Helper()
	r := New(Options{}).Run(context.Background(), "cmd.run", []any{toAnyList(argv)}, Pub{})
	s, _ := r.Return.(string)
	return s
}

func TestCmdTimeout(t *testing.T) {
	e := New(Options{})
	pidfile := filepath.Join(t.TempDir(), "child")
	start := time.Now()
	// The shell's background child must die with it: the whole process
	// group is killed, not only the shell.
	cmd := "sleep 30 & echo $! > " + pidfile + "; wait"
	r := run(e, "cmd.run_all", cmd, kw("timeout", 0.3))
	if el := time.Since(start); el > 2500*time.Millisecond {
		t.Fatalf("cmd.run_all with timeout 0.3 took %v", el)
	}
	m := r.Return.(body.Map)
	if !reflect.DeepEqual(m.Keys(), []string{"stdout", "stderr", "retcode", "pid"}) {
		t.Fatalf("timed-out run_all keys %v", m.Keys())
	}
	if out, _ := m.String("stdout"); out != cmd+" : Timed out after 0.3 seconds" {
		t.Fatalf("timeout stdout = %q", out)
	}
	if rc, _ := m.Int("retcode"); rc != 1 || r.Retcode != 1 || r.Success {
		t.Fatalf("timeout retcode %v, job %d/%v", rc, r.Retcode, r.Success)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	child := strings.TrimSpace(string(b))
	deadline := time.Now().Add(2 * time.Second)
	for !processGone(child) {
		if time.Now().After(deadline) {
			t.Fatalf("the timed-out command's child %s kept running", child)
		}
		time.Sleep(20 * time.Millisecond)
	}

	r = run(e, "cmd.run", "sleep 5", kw("timeout", 0.2))
	if r.Return != "sleep 5 : Timed out after 0.2 seconds" || r.Retcode != 1 || r.Success {
		t.Fatalf("cmd.run timeout = %#v", r)
	}
	r = run(e, "cmd.run", "sleep 5", kw("timeout", 0.2, "ignore_retcode", true))
	if r.Retcode != 0 {
		t.Fatalf("timeout with ignore_retcode: job retcode %d", r.Retcode)
	}
	wantError(t, run(e, "cmd.run", "true", kw("timeout", "soon")),
		"The minion function caused an exception: salt.exceptions.TimedProcTimeoutError: Error: timeout soon must be a number")
}

// processGone reports whether a pid no longer runs (exited, or a zombie
// waiting for a parent that does not reap).
func processGone(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}

func TestCmdCancelled(t *testing.T) {
	e := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	r := e.Run(ctx, "cmd.run", []any{"sleep 10"}, cliPub("cmd.run", "sleep 10"))
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("cancelled cmd.run took %v", el)
	}
	wantError(t, r, "ERROR: cmd.run was cancelled: context canceled")
}

func TestCmdRunas(t *testing.T) {
	e := New(Options{})
	wantError(t, run(e, "cmd.run", "id -u", kw("runas", "no-such-user-xyz")), "ERROR: User 'no-such-user-xyz' is not available")
	if os.Geteuid() != 0 {
		t.Skip("runas of another user needs root")
	}
	r := run(e, "cmd.run", "id -u; echo $HOME", kw("runas", "nobody"))
	lines := strings.Split(r.Return.(string), "\n")
	if r.Retcode != 0 || lines[0] == "0" {
		t.Fatalf("runas nobody = %#v", r)
	}
}

//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testMarker is what Detach sets in the copy it starts: the test binary,
// which then acts as a daemon as its arguments say (see TestMain).
const testMarker = "SALT_CLI_TEST_DAEMONIZED"

func TestMain(m *testing.M) {
	if os.Getenv(testMarker) == "1" {
		os.Exit(testDaemon(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testDaemon is the detached copy: "serve PIDFILE" writes the pid file,
// in / as its directory, and waits to be killed; "fail"
// exits 3; "hang" waits to be killed without writing anything.
func testDaemon(args []string) int {
	switch args[0] {
	case "serve":
		if wd, _ := os.Getwd(); wd != "/" {
			return 4
		}
		if err := WritePidFile(args[1]); err != nil {
			return 6
		}
	case "fail":
		return 3
	}
	time.Sleep(time.Minute)
	return 0
}

// detach starts a copy; one that is to keep running is killed at the end
// (one that has exited is not: its pid may be another process's by then).
func detach(t *testing.T, args ...string) *Child {
	t.Helper()
	c, err := Detach(args, testMarker)
	if err != nil {
		t.Fatal(err)
	}
	if args[0] != "fail" {
		t.Cleanup(func() { syscall.Kill(c.Pid, syscall.SIGKILL) })
	}
	return c
}

func TestDetach(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "d.pid")
	c := detach(t, "serve", pidFile)
	if start, err := c.WaitReady(context.Background(), pidFile, 20*time.Second); start != Ready || err != nil {
		t.Fatalf("serve: %v %v", start, err)
	}
	if b, _ := os.ReadFile(pidFile); strings.TrimSpace(string(b)) != strconv.Itoa(c.Pid) {
		t.Errorf("pid file %q, child %d", b, c.Pid)
	}
	// pid (comm) state ppid pgrp session ...: a session leader, where
	// /proc tells.
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(c.Pid) + "/stat"); err == nil {
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 4 || f[3] != strconv.Itoa(c.Pid) {
			t.Errorf("not a session leader: %q", stat)
		}
	}

	c = detach(t, "fail")
	start, err := c.WaitReady(context.Background(), filepath.Join(t.TempDir(), "never.pid"), 20*time.Second)
	var ee *exec.ExitError
	if start != Exited || !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("fail: %v %v", start, err)
	}

	c = detach(t, "hang")
	if start, err := c.WaitReady(context.Background(), filepath.Join(t.TempDir(), "never.pid"), 100*time.Millisecond); start != TimedOut || err != nil {
		t.Errorf("hang: %v %v", start, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if start, _ := c.WaitReady(ctx, filepath.Join(t.TempDir(), "never.pid"), 20*time.Second); start != Canceled {
		t.Errorf("hang, canceled: %v", start)
	}
	// Without a pid file a copy still running is taken as started.
	if start, err := c.WaitReady(context.Background(), "", 20*time.Second); start != Ready || err != nil {
		t.Errorf("hang, no pid file: %v %v", start, err)
	}
}

package main

import (
	"context"
	"fmt"
	"github.com/saltraet/saltraet/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func runArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb testutil.SyncBuffer
	code := runContext(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"-l", "loud"},
		{"extra"},
	} {
		code, _, stderr := runArgs(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "Usage: salt-minion-raet") {
			t.Errorf("%v: exit %d, stderr %q; want 64 and the usage", args, code, stderr)
		}
	}
	code, stdout, _ := runArgs(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "salt-minion-raet ") {
		t.Errorf("--version: %d %q", code, stdout)
	}
	code, stdout, _ = runArgs(t, "--help")
	for _, flag := range []string{"--config-dir", "--daemon", "--log-level", "--log-file", "--pid-file"} {
		if code != 0 || !strings.Contains(stdout, flag) {
			t.Errorf("--help: %d, no %s in %q", code, flag, stdout)
		}
	}
}

// A bad config is refused with the file, line and option named.
func TestBadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "minion"), []byte("id: m1\nraet_port: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runArgs(t, "-c", dir)
	if code != exitError || !strings.Contains(stderr, filepath.Join(dir, "minion")+":2: raet_port") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// The daemon in the foreground: it writes its pid file and opens its manor
// socket, and on shutdown removes both and exits 0; -l and --pid-file win
// over the config; a pid file of a running minion is refused.
func TestRunAndShutdown(t *testing.T) {
	root, err := os.MkdirTemp("", "n")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	etc := filepath.Join(root, "etc")
	os.MkdirAll(etc, 0o700)
	conf := fmt.Sprintf("id: m1\nroot_dir: %s\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1 %d\nlog_level: error\n",
		root, testutil.FreeUDPPort(t), testutil.FreeUDPPort(t))
	if err := os.WriteFile(filepath.Join(etc, "minion"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(root, "m.pid")
	logFile := filepath.Join(root, "log", "minion")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr testutil.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"-c", etc, "-l", "info", "--pid-file", pidFile, "--log-file", logFile},
			strings.NewReader(""), &stderr, &stderr)
	}()
	sock := filepath.Join(root, "var", "run", "salt", "minion", "m1_minion.manor.uxd")
	end := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(pidFile)
		_, sockErr := os.Stat(sock)
		// The start is logged once Run begins, after the files exist; the
		// console and the log file are written one after the other, so
		// both are waited for.
		logged, _ := os.ReadFile(logFile)
		if strings.TrimSpace(string(data)) == strconv.Itoa(os.Getpid()) && sockErr == nil &&
			strings.Contains(stderr.String(), "Minion m1 starting") && strings.Contains(string(logged), "Minion m1 starting") {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("exited %d before starting: %s", code, stderr.String())
		default:
		}
		if time.Now().After(end) {
			t.Fatalf("no pid file, socket and start line (console and log file) within 20 s: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "[INFO    ] Minion m1 starting") {
		t.Errorf("-l info did not log the start on the console: %q", stderr.String())
	}
	if data, err := os.ReadFile(logFile); err != nil || !strings.Contains(string(data), "Minion m1 starting") {
		t.Errorf("log file: %q %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc", "salt", "pki", "minion", "local.key")); err != nil {
		t.Errorf("no local.key under root_dir: %v", err)
	}

	// A minion whose pid file names a living salt-minion is refused before
	// it opens anything; one naming another program is not (pid reused).
	other := exec.Command("bash", "-c", "exec -a salt-minion-raet sleep 60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	otherPid := filepath.Join(root, "other.pid")
	waitArgv0(t, other.Process.Pid, "salt-minion-raet")
	if err := os.WriteFile(otherPid, []byte(strconv.Itoa(other.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runArgs(t, "-c", etc, "--pid-file", otherPid)
	if want := fmt.Sprintf("already runs with pid %d", other.Process.Pid); code != exitError || !strings.Contains(errOut, want) {
		t.Errorf("second minion: exit %d, %q; want 1 and %q", code, errOut, want)
	}
	if minionRunning(1) {
		t.Error("pid 1 taken for a minion")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after shutdown: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit within 20 s of the shutdown")
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left: %v", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("manor socket left: %v", err)
	}
}

// waitArgv0 waits until the process's command is name (bash has exec'd).
func waitArgv0(t *testing.T, pid int, name string) {
	t.Helper()
	end := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if argv0, _, _ := strings.Cut(string(data), "\x00"); argv0 == name {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("process %d never became %s", pid, name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

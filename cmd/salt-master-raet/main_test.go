package main

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/master"
)

// testMainEnv makes the test binary act as the command, so that -d can
// start it again as the daemon.
const testMainEnv = "SALT_MASTER_RAET_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(testMainEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const wait = 20 * time.Second

// setup writes a master config under a short root_dir and returns the
// config directory and the root.
func setup(t *testing.T) (etc, root string) {
	t.Helper()
	root, err := os.MkdirTemp("", "m")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	etc = filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("id: saltmaster\nroot_dir: %s\ninterface: 127.0.0.1\nraet_port: %d\nuser: %s\n",
		root, testutil.FreeUDPPort(t), u.Username)
	if err := os.WriteFile(filepath.Join(etc, "master"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return etc, root
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, what, wait, cond)
}

// sessionOf reads a process's session id from /proc (Linux).
func sessionOf(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// pid (comm) state ppid pgrp session ...; comm may hold spaces.
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 4 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	return strconv.Atoi(f[3])
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// In the foreground the master writes its pid file, access key and socket,
// and SIGTERM stops it cleanly, removing the socket and the pid file.
func TestForegroundSIGTERM(t *testing.T) {
	etc, root := setup(t)
	pidFile := filepath.Join(root, "run", "m.pid")
	logFile := filepath.Join(root, "log", "master")
	var stderr testutil.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-c", etc, "-l", "info", "--pid-file", pidFile, "--log-file", logFile},
			nil, &bytes.Buffer{}, &stderr)
	}()
	manor := filepath.Join(root, "var", "run", "salt", "master", "master.manor.uxd")
	waitFor(t, "pid file", func() bool {
		select {
		case code := <-done:
			t.Fatalf("run ended with %d: %s", code, stderr.String())
		default:
		}
		pid, err := cli.ReadPidFile(pidFile)
		return err == nil && pid == os.Getpid()
	})
	if !exists(manor) {
		t.Fatalf("no manor socket at %s", manor)
	}
	u, _ := user.Current()
	key := master.AccessKeyPath(filepath.Join(root, "var", "cache", "salt", "master"), u.Username)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o400 || fi.Size() != 76 {
		t.Fatalf("access key %s: %v %v", key, fi, err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit status %d: %s", code, stderr.String())
		}
	case <-time.After(wait):
		t.Fatal("SIGTERM did not stop the master")
	}
	if exists(pidFile) || exists(manor) {
		t.Fatalf("left behind: pid file %v, socket %v", exists(pidFile), exists(manor))
	}
	logs, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(logs), "[INFO    ] Started salt-master-raet") ||
		!strings.Contains(string(logs), "stopped") {
		t.Fatalf("log file: %v\n%s", err, logs)
	}
	if !strings.Contains(stderr.String(), "Started salt-master-raet") {
		t.Fatalf("stderr in the foreground: %q", stderr.String())
	}
}

// -d starts the daemon detached and returns once it serves; SIGTERM stops it.
func TestDaemon(t *testing.T) {
	etc, root := setup(t)
	t.Setenv(testMainEnv, "1") // the re-executed test binary runs the command
	pidFile := filepath.Join(root, "m.pid")
	var stderr bytes.Buffer
	if code := run([]string{"-c", etc, "-d", "--pid-file", pidFile}, nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("-d: exit status %d: %s", code, stderr.String())
	}
	pid, err := cli.ReadPidFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if pid == os.Getpid() {
		t.Fatal("-d served in the foreground")
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if sid, err := sessionOf(pid); err != nil || sid != pid {
		t.Fatalf("the daemon is not a session leader: sid %d, %v", sid, err)
	}
	manor := filepath.Join(root, "var", "run", "salt", "master", "master.manor.uxd")
	if !exists(manor) {
		t.Fatal("the daemon has no manor socket")
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the daemon to stop", func() bool {
		return syscall.Kill(pid, 0) != nil && !exists(pidFile)
	})
	if exists(manor) {
		t.Fatal("the daemon left its socket")
	}
	// Its log file is the config's, under root_dir.
	if logs, err := os.ReadFile(filepath.Join(root, "var", "log", "salt", "master")); err != nil {
		t.Fatalf("daemon log: %v", err)
	} else if strings.Contains(string(logs), "[ERROR") {
		t.Fatalf("daemon log has errors:\n%s", logs)
	}
}

// A daemon that cannot start makes -d fail.
func TestDaemonFailsToStart(t *testing.T) {
	etc, root := setup(t)
	t.Setenv(testMainEnv, "1")
	// Something that is not a socket where the manor socket goes.
	sock := filepath.Join(root, "var", "run", "salt", "master")
	if err := os.MkdirAll(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sock, "master.manor.uxd"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run([]string{"-c", etc, "-d", "--pid-file", filepath.Join(root, "m.pid")}, nil, &bytes.Buffer{}, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "the daemon stopped as it started") {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	logs, _ := os.ReadFile(filepath.Join(root, "var", "log", "salt", "master"))
	if !strings.Contains(string(logs), "not a socket") {
		t.Fatalf("the daemon's log does not say why:\n%s", logs)
	}
}

func TestUsageAndConfigErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--bogus"}, nil, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "bogus") {
		t.Fatalf("unknown flag: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-l", "loud"}, nil, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "loud") {
		t.Fatalf("bad level: %d %q", code, errb.String())
	}
	etc, _ := setup(t)
	f := filepath.Join(etc, "master")
	b, _ := os.ReadFile(f)
	if err := os.WriteFile(f, append(b, []byte("raet_port: nope\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	code := run([]string{"-c", etc}, nil, &out, &errb)
	if code != exitError || !strings.Contains(errb.String(), f) || !strings.Contains(errb.String(), "raet_port") {
		t.Fatalf("bad config: %d %q", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"--version"}, nil, &out, &errb); code != exitOK || !strings.HasPrefix(out.String(), prog+" ") {
		t.Fatalf("--version: %d %q", code, out.String())
	}
}

func TestLogPath(t *testing.T) {
	for in, want := range map[string][2]string{
		"/var/log/salt/master":  {"/var/log/salt/master", ""},
		"file:///var/log/m":     {"/var/log/m", ""},
		"udp://localhost:514":   {"", "URL"},
		"/weird/path://x":       {"/weird/path://x", ""},
		"":                      {"", ""},
		"tcp://10.0.0.1:514/x":  {"", "URL"},
		"relative/file/log.txt": {"relative/file/log.txt", ""},
	} {
		path, note := logPath(in)
		if path != want[0] || (want[1] == "") != (note == "") || !strings.Contains(note, want[1]) {
			t.Errorf("logPath(%q) = %q, %q", in, path, note)
		}
	}
}

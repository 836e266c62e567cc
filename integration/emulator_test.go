package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// emulatedMinions is how many minions TestEmulatedMinionsAllAnswer runs.
const emulatedMinions = 500

// emulator is a running salt-minion-emulator.
type emulator struct {
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startEmulator runs n emulated minions against the cluster's master.
func (c *cluster) startEmulator(n int, prefix string, args ...string) *emulator {
	c.t.Helper()
	root, err := os.MkdirTemp("", "em") // short: the minions' socket paths
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { os.RemoveAll(root) })
	logf := filepath.Join(root, "emulator.log")
	f, err := os.Create(logf)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "salt-minion-emulator"), append([]string{"-n", fmt.Sprint(n), "--prefix", prefix,
		"--master", "127.0.0.1", "--master-port", fmt.Sprint(c.port), "--root", filepath.Join(root, "m"), "-l", "info"}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	e := &emulator{cmd: cmd, log: logf, done: make(chan error, 1)}
	go func() { e.done <- cmd.Wait(); f.Close() }()
	c.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			c.t.Errorf("salt-minion-emulator did not stop within 60 s of SIGTERM")
		}
	})
	return e
}

// TestEmulatedMinionsAllAnswer starts 500 emulated minions at once against
// a master with auto_accept: all are accepted, and one test.ping job gets
// the return of every one of them, none lost.
func TestEmulatedMinionsAllAnswer(t *testing.T) {
	c := newCluster(t, true)
	// Keep-alives less often and more patient than the daemon's (3 s, 2 s):
	// on a 2-core machine shared with other test runs, 500 minions in one
	// process plus a master get a fraction of a core, and what this test
	// asserts is that none is lost, not how fast they are.
	e := c.startEmulator(emulatedMinions, "emu", "--period", "6s", "--alive-timeout", "5s")
	want := make([]string, emulatedMinions)
	for i := range want {
		want[i] = fmt.Sprintf("emu-%05d", i+1)
	}
	eventuallyWithin(t, 3*time.Minute, 200*time.Millisecond, "every emulated minion allowed", func() (bool, string) {
		b, _ := os.ReadFile(e.log)
		select {
		case err := <-e.done:
			t.Fatalf("salt-minion-emulator stopped: %v\n%s", err, lastLine(string(b)))
		default:
		}
		line := fmt.Sprintf("%d of %d minions allowed, 0 still joining", emulatedMinions, emulatedMinions)
		return strings.Contains(string(b), line), lastLine(string(b))
	})
	if keys := c.master.keys(); len(keys["accepted"]) != emulatedMinions {
		t.Fatalf("%d keys accepted, want %d (pending %d)", len(keys["accepted"]), emulatedMinions, len(keys["pending"]))
	}
	r := c.salt("*", "test.ping", "--out", "json", "--static", "-t", "30")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("salt '*' test.ping: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	var lost []string
	for _, id := range want {
		if got[id] != true {
			lost = append(lost, fmt.Sprintf("%s: %v", id, got[id]))
		}
	}
	if len(lost) > 0 || len(got) != emulatedMinions {
		t.Fatalf("%d returns of %d; not True: %d %v", len(got), emulatedMinions, len(lost), lost)
	}
	// SIGUSR1: the minions' counters, summed, in the log; every minion
	// made its session (an allow of its own, or one the master began).
	if err := e.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	eventuallyWithin(t, time.Minute, 100*time.Millisecond, "the counters logged on SIGUSR1", func() (bool, string) {
		b, _ := os.ReadFile(e.log)
		// The minions' own counters may all be zero (none lost its
		// master): the line is there, maybe empty.
		road := counterLine(string(b), "Road counters of all minions: ")
		return road != "" && strings.Contains(string(b), "Minion counters of all minions:"), lastLine(string(b))
	})
	b, _ := os.ReadFile(e.log)
	road := counterLine(string(b), "Road counters of all minions: ")
	var allowed int
	for _, f := range strings.Fields(road) {
		if n, ok := strings.CutPrefix(f, "event_allowed="); ok {
			fmt.Sscan(n, &allowed)
		}
	}
	if allowed < emulatedMinions {
		t.Errorf("the road counters say %d allows, want at least %d: %s", allowed, emulatedMinions, road)
	}
}

// counterLine is what follows prefix on the last log line that has it.
func counterLine(log, prefix string) string {
	i := strings.LastIndex(log, prefix)
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(log[i+len(prefix):], "\n")
	return strings.Trim(line, "\" ")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

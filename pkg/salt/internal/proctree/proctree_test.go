package proctree

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// Descendants finds the children's children; Signal reaches them all.
func TestDescendantsAndSignal(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "/bin/sh -c 'sleep 60 & wait' & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var below []int
	testutil.WaitFor(t, "two levels below", 20*time.Second, func() bool {
		below = Descendants("", cmd.Process.Pid)
		return len(below) == 2
	})
	if slices.Contains(below, cmd.Process.Pid) {
		t.Errorf("Descendants(%d) = %v holds the process itself", cmd.Process.Pid, below)
	}
	if err := Signal(cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	for _, p := range below {
		testutil.WaitFor(t, "a descendant to end", 20*time.Second, func() bool {
			// killed, it is gone or a zombie its new parent has yet to reap
			data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "stat"))
			return err != nil || strings.Contains(string(data), ") Z ")
		})
	}
	if err := Signal(cmd.Process.Pid, syscall.SIGKILL); err == nil {
		t.Error("Signal to a process that has ended did not fail")
	}
}

// A command holding ") " does not mislead the parsing of stat.
func TestParentOfOddCommand(t *testing.T) {
	dir := t.TempDir()
	stat := filepath.Join(dir, "stat")
	if err := os.WriteFile(stat, []byte("42 (a) b (c) S 7 42 42 0 -1"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ppid, ok := parentOf(stat); !ok || ppid != 7 {
		t.Errorf("parentOf = %d, %v; want 7", ppid, ok)
	}
}

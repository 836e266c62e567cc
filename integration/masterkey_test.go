package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A master whose key changed is refused by the minion, which said so at
// error; once the operator removes the master key the minion kept (as a
// Salt operator removes minion_master.pub), the minion, still running,
// takes the new key at its next join and answers. forgetKeep makes the
// restarted master lose its road keep too (a reinstall), not only its key.
func testMasterKeyChanged(t *testing.T, forgetKeep bool) {
	c := newCluster(t, true)
	c.addMinionConf("n1", "acceptance_wait_time: 0.5\nacceptance_wait_time_max: 2\n")
	c.waitReady("n1")

	if err := c.md.stop(); err != nil {
		t.Fatal(err)
	}
	gone := []string{filepath.Join(c.master.root, "etc", "salt", "pki", "master", "local.key")}
	if forgetKeep {
		gone = append(gone, filepath.Join(c.master.root, "var", "cache", "salt", "master", "raet"))
	}
	for _, p := range gone {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	c.md = c.master.start("salt-master-raet")

	md := c.mds["n1"]
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("minion log:\n%s\nmaster log:\n%s", tail(md.logText(), 60), tail(c.md.logText(), 60))
		}
	})
	kept := filepath.Join(c.minions["n1"].root, "etc", "salt", "pki", "minion", "accepted", "saltmaster")
	eventually(t, "the minion refuses the changed master at error, naming the file", func() (bool, string) {
		for _, l := range strings.Split(md.logText(), "\n") {
			if strings.Contains(l, "[ERROR") && strings.Contains(l, "Refusing master") && strings.Contains(l, kept) {
				return true, ""
			}
		}
		return false, ""
	})
	if err := os.Remove(kept); err != nil {
		t.Fatal(err)
	}
	removed := time.Now()
	c.waitReady("n1")
	t.Logf("n1 answered %v after its stored master key was removed", time.Since(removed).Round(time.Millisecond))
	if md.cmd.ProcessState != nil {
		t.Fatal("the minion exited")
	}
	if strings.Contains(md.logText(), "restart this minion") {
		t.Error("the minion still tells the operator to restart it")
	}
}

func TestMasterKeyChangedMinionTakesNewKeyWithoutRestart(t *testing.T) {
	testMasterKeyChanged(t, false)
}

func TestMasterReinstalledMinionTakesNewKeyWithoutRestart(t *testing.T) {
	testMasterKeyChanged(t, true)
}

// tail is the last n lines of a log, for a failure's report.
func tail(log string, n int) string {
	lines := strings.Split(log, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

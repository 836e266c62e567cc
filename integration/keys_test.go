package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// addMinionConf is addMinion with extra minion options.
func (c *cluster) addMinionConf(id, extra string) *daemon {
	c.t.Helper()
	in := newInstall(c.t)
	in.write("minion", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: %s\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n%s",
		in.root, id, testutil.FreeUDPPort(c.t), c.port, extra))
	c.minions[id] = in
	d := in.start("salt-minion-raet")
	c.mds[id] = d
	return d
}

// A corrupt accepted/<id>: the master says at error which file refuses the
// minion, salt-key-raet -L names it, and once the operator deletes the key
// and accepts the one the minion shows again, the minion answers without
// being restarted, its acceptance back-off having kept it trying.
func TestCorruptAcceptedKeyRepairedWithoutMinionRestart(t *testing.T) {
	c := newCluster(t, false)
	const wait = "acceptance_wait_time: 0.5\nacceptance_wait_time_max: 2\n"
	c.addMinionConf("n1", wait)
	eventually(t, "n1 pending", func() (bool, string) { return contains(c.master.keys()["pending"], "n1"), "" })
	c.master.run("salt-key-raet", "-a", "n1", "-y")
	c.waitReady("n1")

	// Corrupt the key, and restart the minion so that it joins again.
	if err := c.mds["n1"].stop(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.master.root, "etc", "salt", "pki", "master", "accepted", "n1")
	if err := os.WriteFile(path, []byte("\x93not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.mds["n1"] = c.minions["n1"].start("salt-minion-raet")
	eventually(t, "the master names the file at error", func() (bool, string) {
		for _, l := range strings.Split(c.md.logText(), "\n") {
			if strings.Contains(l, "[ERROR") && strings.Contains(l, "key file "+path+" is unreadable") {
				return true, ""
			}
		}
		return false, ""
	})
	eventually(t, "the minion retries", func() (bool, string) {
		return strings.Contains(c.mds["n1"].logText(), "refused this minion again"), ""
	})
	if n := strings.Count(c.md.logText(), "key file "+path); n != 1 {
		t.Errorf("the master named the file %d times over the minion's retries, want once", n)
	}
	r := c.master.run("salt-key-raet", "-L")
	if r.code != 1 || !strings.Contains(r.stdout, "Accepted Keys:\nn1\n") ||
		!strings.Contains(r.stderr, "Error: key file "+path+" is unreadable: ") {
		t.Fatalf("salt-key-raet -L: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// The repair: delete the key; the minion, still running, shows its
	// key again and is pending; accept it.
	if d := c.master.run("salt-key-raet", "-d", "n1", "-y"); d.code != 0 {
		t.Fatalf("salt-key-raet -d: %q %q", d.stdout, d.stderr)
	}
	eventually(t, "n1 pending again", func() (bool, string) { return contains(c.master.keys()["pending"], "n1"), "" })
	c.master.run("salt-key-raet", "-a", "n1", "-y")
	accepted := time.Now()
	c.waitReady("n1")
	t.Logf("n1 answered %v after its key was accepted again", time.Since(accepted).Round(time.Millisecond))
	if r := c.master.run("salt-key-raet", "-L"); r.code != 0 || r.stderr != "" {
		t.Errorf("salt-key-raet -L after the repair: exit %d, stderr %q", r.code, r.stderr)
	}
}

// salt-key-raet -d of a connected minion's key: the key comes back
// pending (as a Salt minion re-authenticating after a deletion), and -a
// makes the minion answer again, neither daemon restarted.
func TestKeyDeletedWhileConnectedAcceptedAgain(t *testing.T) {
	c := newCluster(t, false)
	c.addMinion("n1")
	eventually(t, "n1 pending", func() (bool, string) { return contains(c.master.keys()["pending"], "n1"), "" })
	c.master.run("salt-key-raet", "-a", "n1", "-y")
	c.waitReady("n1")
	if d := c.master.run("salt-key-raet", "-d", "n1", "-y"); d.code != 0 {
		t.Fatalf("salt-key-raet -d: %q %q", d.stdout, d.stderr)
	}
	eventually(t, "n1 pending again", func() (bool, string) {
		k := c.master.keys()
		return contains(k["pending"], "n1"), fmt.Sprint(k)
	})
	c.master.run("salt-key-raet", "-a", "n1", "-y")
	c.waitReady("n1")
}

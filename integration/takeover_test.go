package integration

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// addMinionAt starts a minion of a new install (new keys) on a given road
// port.
func (c *cluster) addMinionAt(id string, port int) (*install, *daemon) {
	c.t.Helper()
	in := newInstall(c.t)
	in.write("minion", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: %s\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n",
		in.root, id, port, c.port))
	c.minions[id] = in
	d := in.start("salt-minion-raet")
	c.mds[id] = d
	return in, d
}

// ping runs test.ping on one minion and reports whether it answered True,
// with what salt-raet printed.
func (c *cluster) ping(id string) (bool, string) {
	r := c.salt(id, "test.ping", "--out", "json", "--static", "-t", "5")
	var got map[string]any
	if json.Unmarshal([]byte(r.stdout), &got) != nil {
		return false, r.stdout + r.stderr
	}
	return got[id] == true, r.stdout + r.stderr
}

// A minion jA joins from port P, restarts once and stops; a new minion jB,
// new id and new keys, starts on P. Its key is accepted, its first job
// answers, and it keeps answering for several of the master's presence
// periods: the old estate's session never captures jB's traffic.
func TestNewMinionOnReusedPort(t *testing.T) {
	c := newCluster(t, true)
	port := testutil.FreeUDPPort(t)
	ja, jad := c.addMinionAt("jA", port)
	c.waitReady("jA")
	if err := jad.stop(); err != nil {
		t.Fatal(err)
	}
	jad = ja.start("salt-minion-raet")
	c.waitReady("jA")
	if err := jad.stop(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, jbd := c.addMinionAt("jB", port)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("master log:\n%s\njB log:\n%s\nmaster road stats %v", c.md.logText(), jbd.logText(), c.roadStats())
		}
	})
	c.waitReady("jB")
	t.Logf("jB's first job answered %v after its start", time.Since(start).Round(time.Millisecond))
	for i := 0; time.Since(start) < 20*time.Second || i < 5; i++ {
		if ok, out := c.ping("jB"); !ok {
			t.Fatalf("job %d to jB, %v after its start: %s", i, time.Since(start).Round(time.Millisecond), out)
		}
	}
	if keys := c.master.keys(); !contains(keys["accepted"], "jB") || !contains(keys["accepted"], "jA") {
		t.Errorf("keys %v", keys)
	}
}

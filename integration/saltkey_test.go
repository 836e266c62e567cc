package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// salt-key-raet accepting a minion fires salt/key on the running master's
// event bus ({result: true, act: accept, id}, as Salt 3006), which a yard
// subscribed to the master's events sees; the minion then answers.
func TestSaltKeyFiresKeyEvents(t *testing.T) {
	c := newCluster(t, false)
	y := c.yard("event")
	if err := y.Transmit(protocol.EventSubscription(y.Name()), protocol.YardManor).Err(); err != nil {
		t.Fatal(err)
	}
	c.addMinionConf("k1", "acceptance_wait_time: 0.5\nacceptance_wait_time_max: 2\n")
	eventually(t, "k1 pending", func() (bool, string) { return contains(c.master.keys()["pending"], "k1"), "" })
	if r := c.master.run("salt-key-raet", "-a", "k1", "-y"); r.code != 0 || r.stderr != "" {
		t.Fatalf("salt-key-raet -a: exit %d %q", r.code, r.stderr)
	}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case r := <-y.Receive():
			if tag, _ := protocol.EventTag(r.Body); tag != protocol.TagKey {
				continue
			}
			data := protocol.EventDataMap(r.Body)
			act, _ := data.String("act")
			id, _ := data.String("id")
			res, _ := data.Get("result")
			if act != "accept" || id != "k1" || res != true {
				t.Errorf("salt/key data %v", data)
			}
			c.waitReady("k1")
			return
		case <-deadline:
			t.Fatal("no salt/key event within 60 s")
		}
	}
}

// A minion preseeded with salt-key-raet --gen-keys (NAME.key as its
// local.key, NAME.pub as the master's accepted/NAME) is accepted at its
// first join, without salt-key -a, and answers.
func TestGenKeysPreseededMinion(t *testing.T) {
	c := newCluster(t, false)
	dir := filepath.Join(c.master.root, "gen")
	r := c.master.run("salt-key-raet", "--gen-keys", "p1", "--gen-keys-dir", dir, "--out", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"return": "`) {
		t.Fatalf("--gen-keys: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	copyFile(t, filepath.Join(dir, "p1.pub"), filepath.Join(c.master.root, "etc", "salt", "pki", "master", "accepted", "p1"), 0o600)
	in := newInstall(t)
	in.write("minion", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: p1\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n",
		in.root, testutil.FreeUDPPort(t), c.port))
	copyFile(t, filepath.Join(dir, "p1.key"), filepath.Join(in.root, "etc", "salt", "pki", "minion", "local.key"), 0o400)
	c.minions["p1"] = in
	c.mds["p1"] = in.start("salt-minion-raet")
	c.waitReady("p1")
	if k := c.master.keys(); len(k["pending"]) != 0 || !contains(k["accepted"], "p1") {
		t.Errorf("keys %v, want p1 accepted and nothing pending", k)
	}
	// The fingerprint printed is the one the master shows.
	fp := strings.Split(r.stdout, `"`)[3]
	if f := c.master.run("salt-key-raet", "-f", "p1"); f.stdout != "Accepted Keys:\np1:  "+fp+"\n" {
		t.Errorf("-f p1: %q, want fingerprint %s", f.stdout, fp)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

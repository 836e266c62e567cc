package integration

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// Salt's default minion id is the host's FQDN, so dotted ids have to work
// from the key to the job cache: keys listed and accepted by name and by a
// glob with dots, globs, lists, grains and compound matchers on them, and
// returns filed under the dotted id.
func TestDottedMinionIDs(t *testing.T) {
	c := newCluster(t, false)
	ids := []string{"web1.example.com", "web2.example.com", "db1"}
	for _, id := range ids {
		c.addMinion(id)
	}
	eventually(t, "three pending keys", func() (bool, string) {
		k := c.master.keys()
		return len(k["pending"]) == 3, strings.Join(k["pending"], ",")
	})

	if r := c.master.run("salt-key-raet", "-a", "web1.example.com", "-y"); r.code != 0 || r.stdout != "The following keys are going to be accepted:\nUnaccepted Keys:\nweb1.example.com\nKey for minion web1.example.com accepted.\n" {
		t.Fatalf("salt-key-raet -a web1.example.com: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	if r := c.master.run("salt-key-raet", "-a", "*.example.com", "-y"); r.code != 0 || !strings.Contains(r.stdout, "Key for minion web2.example.com accepted.") {
		t.Fatalf("salt-key-raet -a '*.example.com': exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := c.master.run("salt-key-raet", "-f", "web?.example.com"); r.code != 0 || strings.Count(r.stdout, ".example.com:  ") != 2 {
		t.Errorf("salt-key-raet -f 'web?.example.com': exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	k := c.master.keys()
	if want := []string{"web1.example.com", "web2.example.com"}; !slices.Equal(k["accepted"], want) || !slices.Equal(k["pending"], []string{"db1"}) {
		t.Fatalf("after accepting '*.example.com': %v", k)
	}
	if r := c.master.run("salt-key-raet", "-a", "db1", "-y"); r.code != 0 {
		t.Fatalf("salt-key-raet -a db1: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := c.master.run("salt-key-raet", "-L"); r.stdout != "Accepted Keys:\ndb1\nweb1.example.com\nweb2.example.com\nDenied Keys:\nUnaccepted Keys:\nRejected Keys:\n" {
		t.Errorf("salt-key-raet -L: %q %q", r.stdout, r.stderr)
	}
	c.waitReady(ids...)

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"*.example.com"}, []string{"web1.example.com", "web2.example.com"}},
		{[]string{"web1.example.com"}, []string{"web1.example.com"}},
		{[]string{"-L", "web2.example.com,db1"}, []string{"db1", "web2.example.com"}},
		{[]string{"-G", "id:web1.example.com"}, []string{"web1.example.com"}},
		{[]string{"-C", "G@id:web2.example.com or db1"}, []string{"db1", "web2.example.com"}},
		{[]string{"-E", `web\d\.example\.com`}, []string{"web1.example.com", "web2.example.com"}},
	} {
		args := append(tc.args, "test.ping", "--out", "json", "--static", "-t", "10")
		r := c.salt(args...)
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Errorf("salt-raet %v: %v in %q %q", args, err, r.stdout, r.stderr)
			continue
		}
		var answered []string
		for id, v := range got {
			if v == true {
				answered = append(answered, id)
			}
		}
		sort.Strings(answered)
		if !slices.Equal(answered, tc.want) || len(got) != len(tc.want) {
			t.Errorf("salt-raet %v: %v, want %v answering True", args, got, tc.want)
		}
	}

	// Every minion's returns are filed under its own id.
	filed := map[string]bool{}
	root := filepath.Join(c.master.root, "var", "cache", "salt", "master", "jobs")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "return.p" {
			filed[filepath.Base(filepath.Dir(p))] = true
		}
		return nil
	})
	for _, id := range ids {
		if !filed[id] {
			t.Errorf("no return of %s in the job cache %s (have %v)", id, root, filed)
		}
	}
	for _, id := range ids[:2] {
		sock := filepath.Join(c.minions[id].root, "var", "run", "salt", "minion", id+"_minion.manor.uxd")
		if _, err := os.Stat(sock); err != nil {
			t.Errorf("the minion's manor yard: %v", err)
		}
	}
}

// An id too long for the minion's socket paths stops the minion at start
// with an error that names the option to change, before it touches the
// network.
func TestMinionIDTooLongForSockets(t *testing.T) {
	in := newInstall(t)
	id := strings.Repeat("h", 60) + ".example.com"
	in.write("minion", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: %s\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n",
		in.root, id, testutil.FreeUDPPort(t), testutil.FreeUDPPort(t)))
	d := in.start("salt-minion-raet")
	var err error
	select {
	case err = <-d.done:
		d.done <- err
	case <-time.After(60 * time.Second):
		t.Fatal("the minion did not stop within 60 s")
	}
	log := d.logText()
	if err == nil || !strings.Contains(log, "/etc/salt/minion:3: id: the lane's yard sockets would be up to") ||
		!strings.Contains(log, "set a shorter sock_dir or id") {
		t.Errorf("exit %v; log:\n%s", err, log)
	}
}

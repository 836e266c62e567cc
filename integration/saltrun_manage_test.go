package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// salt-run-raet's manage, cache, pillar, fileserver and state.event
// runners against a master and three minions as processes: manage.up
// prints as Salt 3006's salt-run printed (14-salt-run-manage.up.json), a
// stopped minion is down and manage.down removekeys=True deletes its key
// for good, and the master's caches, pillar and files are read as the
// master has them.
func TestSaltRunManageAndCaches(t *testing.T) {
	srv := t.TempDir()
	writeTree(t, srv, map[string]string{
		"pillar/top.sls":      "base:\n  '*':\n    - common\n",
		"pillar/common.sls":   "common: {{ grains['id'] }}\n",
		"salt/top.sls":        "base: {}\n",
		"salt/web/init.sls":   "{}\n",
		"salt/web/files/a.sh": "echo\n",
	})
	c := newCluster(t, true, fmt.Sprintf("file_roots:\n  base:\n    - %s/salt\npillar_roots:\n  base:\n    - %s/pillar\n", srv, srv))
	for _, id := range []string{"m1", "m2", "m3"} {
		c.addMinion(id)
	}
	c.waitReady("m1", "m2", "m3")
	run := func(args ...string) result { t.Helper(); return c.master.run("salt-run-raet", args...) }

	if r := run("manage.up"); r.code != 0 || r.stdout != "- m1\n- m2\n- m3\n" {
		t.Errorf("salt-run-raet manage.up: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var grains map[string]map[string]any
	if r := run("cache.grains", "m1", "--out", "json"); json.Unmarshal([]byte(r.stdout), &grains) != nil || grains["m1"]["id"] != "m1" {
		t.Errorf("cache.grains m1: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run("pillar.show_pillar", "m2", "--out", "json"); r.code != 0 || r.stdout != "{\n    \"common\": \"m2\"\n}\n" {
		t.Errorf("pillar.show_pillar m2: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run("fileserver.file_list"); r.code != 0 || r.stdout != "- top.sls\n- web/files/a.sh\n- web/init.sls\n" {
		t.Errorf("fileserver.file_list: %d %q %q", r.code, r.stdout, r.stderr)
	}

	if err := c.mds["m3"].stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "m3 not present", func() (bool, string) {
		r := run("manage.not_present", "--out", "json")
		return strings.Join(strings.Fields(r.stdout), "") == `["m3"]`, r.stdout + r.stderr
	})
	if r := run("manage.down", "removekeys=True", "timeout=1", "gather_job_timeout=1"); r.code != 0 || r.stdout != "- m3\n" {
		t.Fatalf("manage.down removekeys=True: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var status map[string][]string
	if r := run("manage.status", "--out", "json", "timeout=1", "gather_job_timeout=1"); json.Unmarshal([]byte(r.stdout), &status) != nil ||
		strings.Join(status["up"], ",") != "m1,m2" || len(status["down"]) != 0 {
		t.Errorf("manage.status after removekeys: %q %q", r.stdout, r.stderr)
	}
	var all []string
	for _, ids := range c.master.keys() { // whatever the headings are named
		all = append(all, ids...)
	}
	if contains(all, "m3") || !contains(all, "m1") {
		t.Errorf("keys after manage.down removekeys=True: %v", all)
	}
	if _, err := os.Stat(filepath.Join(c.master.root, "var", "cache", "salt", "master", "minions", "m3")); !os.IsNotExist(err) {
		t.Errorf("m3's data cache is left after removekeys (stat: %v)", err)
	}
	testSaltRunStateEvent(t, c)
}

// testSaltRunStateEvent runs salt-run-raet state.event for m1's next
// return and publishes test.ping to m1 until it has printed it, so that no
// fixed wait decides when it is listening; it prints the event as Salt's
// "tag\tjson" and then the runner's None.
func testSaltRunStateEvent(t *testing.T, c *cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "salt-run-raet"), "-c", c.master.conf, "state.event", "salt/job/*/ret/m1", "count=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		c.salt("m1", "test.ping")
		select {
		case err := <-done:
			lines := strings.Split(out.String(), "\n")
			if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[0], "salt/job/") ||
				!strings.Contains(lines[0], "/ret/m1\t{") || !strings.Contains(lines[0], `"return": true`) || lines[1] != "None" {
				t.Errorf("salt-run-raet state.event: %v %q %q", err, out.String(), errb.String())
			}
			return
		case <-ctx.Done():
			t.Fatalf("salt-run-raet state.event printed nothing: %q %q", out.String(), errb.String())
		default:
		}
	}
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

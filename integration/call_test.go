package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/job"
)

// callJSON runs salt-call-raet --out json on the install and reads what it
// printed under "local".
func callJSON(t *testing.T, in *install, args ...string) any {
	t.Helper()
	r := in.run("salt-call-raet", append([]string{"--out", "json"}, args...)...)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("salt-call-raet %v: exit %d %q %q: %v", args, r.code, r.stdout, r.stderr, err)
	}
	return got["local"]
}

// Masterless: salt-call-raet --local reads file_roots and pillar_roots on
// the host; state.apply runs the top file, salt:// is served from
// file_roots, the pillar is compiled with its top.sls; no daemon runs.
func TestSaltCallLocal(t *testing.T) {
	in := newInstall(t)
	srv := filepath.Join(in.root, "srv")
	writeFiles(t, srv, map[string]string{
		"salt/top.sls":    "base:\n  '*':\n    - web\n",
		"salt/web.sls":    in.root + "/out/index.html:\n  file.managed:\n    - source: salt://index.html\n    - makedirs: True\n",
		"salt/fail.sls":   "broken:\n  test.fail_without_changes: []\n",
		"salt/index.html": "<h1>{{ pillar }}</h1>\n",
		"pillar/top.sls":  "base:\n  'web*':\n    - web\n",
		"pillar/web.sls":  "site: example.org\nport: {{ 80 + 8000 }}\n",
	})
	in.write("minion", fmt.Sprintf("root_dir: %s\nid: web7\npython_fallback: false\nfile_roots: {base: [%s/salt]}\npillar_roots: {base: [%s/pillar]}\n",
		in.root, srv, srv))

	if got := callJSON(t, in, "--local", "pillar.items"); !reflect.DeepEqual(got, map[string]any{"site": "example.org", "port": float64(8080)}) {
		t.Errorf("pillar.items: %v", got)
	}
	r := in.run("salt-call-raet", "--local", "state.apply")
	if r.code != 0 || !strings.Contains(r.stdout, "Succeeded: 1 (changed=1)\nFailed:    0\n") {
		t.Fatalf("state.apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(in.root, "out", "index.html")); err != nil || string(b) != "<h1>{{ pillar }}</h1>\n" {
		t.Errorf("the managed file: %q %v", b, err)
	}
	dest := filepath.Join(in.root, "copy.html")
	if got := callJSON(t, in, "--local", "cp.get_file", "salt://index.html", dest); got != dest {
		t.Errorf("cp.get_file: %v", got)
	}
	if b, err := os.ReadFile(dest); err != nil || string(b) != "<h1>{{ pillar }}</h1>\n" {
		t.Errorf("cp.get_file's copy: %q %v", b, err)
	}
	if r := in.run("salt-call-raet", "--local", "state.apply", "fail"); r.code != 1 {
		t.Errorf("a failed state: exit %d, want 1", r.code)
	}
	if r := in.run("salt-call-raet", "--local", "--retcode-passthrough", "state.apply", "fail"); r.code != 2 {
		t.Errorf("a failed state with --retcode-passthrough: exit %d, want 2", r.code)
	}
	if r := in.run("salt-call-raet", "--local", "foo.bar"); r.code != 255 || r.stderr != "'foo.bar' is not available.\n" {
		t.Errorf("foo.bar: exit %d %q", r.code, r.stderr)
	}
}

// Through the minion: salt-call-raet without --local reaches the master
// through the running minion's lane, with the minion's keys: the pillar
// is the master's for this minion, cp.get_file copies from the master's
// file_roots, and the return is in the master's job cache as the minion's
// own job. With the minion stopped it ends as Salt's salt-call that cannot
// reach its master.
func TestSaltCallThroughMinion(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"salt/base/motd":      "served by the master\n",
		"pillar/base/top.sls": "base:\n  'web1':\n    - web\n",
		"pillar/base/web.sls": "role: frontend\nowner: {{ grains['id'] }}\n",
	})
	c := newCluster(t, true, rootsConf("file_roots", filepath.Join(dir, "salt")), rootsConf("pillar_roots", filepath.Join(dir, "pillar")))
	md := c.addMinion("web1", "python_fallback: false\n")
	c.waitReady("web1")
	in := c.minions["web1"]

	if got := callJSON(t, in, "pillar.items"); !reflect.DeepEqual(got, map[string]any{"role": "frontend", "owner": "web1"}) {
		t.Errorf("pillar.items through the minion: %v", got)
	}
	dest := filepath.Join(in.root, "motd")
	if got := callJSON(t, in, "cp.get_file", "salt://motd", dest); got != dest {
		t.Errorf("cp.get_file: %v", got)
	}
	if b, err := os.ReadFile(dest); err != nil || string(b) != "served by the master\n" {
		t.Errorf("cp.get_file's copy: %q %v", b, err)
	}
	if r := in.run("salt-call-raet", "--retcode-passthrough", "test.retcode", "5"); r.code != 5 || r.stdout != "local:\n    True\n" {
		t.Errorf("test.retcode 5: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	eventually(t, "the return of cp.get_file in the master's job cache", func() (bool, string) {
		return masterHasReturn(t, c, "web1", "cp.get_file")
	})

	md.stop()
	r := in.run("salt-call-raet", "test.ping")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "Unable to sign_in to master: the salt minion cannot be reached") {
		t.Errorf("with the minion stopped: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// masterHasReturn looks in the master's job cache for a return of fun
// from id.
func masterHasReturn(t *testing.T, c *cluster, id, fun string) (bool, string) {
	t.Helper()
	cache, err := job.OpenCache(filepath.Join(c.master.root, "var", "cache", "salt", "master"), "sha256")
	if err != nil {
		return false, err.Error()
	}
	jids, err := cache.Jobs()
	if err != nil {
		return false, err.Error()
	}
	var funs []string
	for _, jid := range jids {
		rets, _ := cache.Returns(jid)
		if _, ok := rets[id]; !ok {
			continue
		}
		load, _ := cache.LoadLoad(jid)
		f, _ := load.String("fun")
		if f == fun {
			return true, ""
		}
		funs = append(funs, f)
	}
	return false, fmt.Sprintf("returns of %s: %v", id, funs)
}

package integration

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// pillarTree is the fixture of pkg/salt/pillar whose pillar for web01 and
// db01 Salt 3006.3 compiled by hand (its testdata/README.md).
var pillarTree = filepath.Join("..", "pkg", "salt", "pillar", "testdata")

// goldenGrains are the grains those goldens were compiled with, as the
// minion config's grains option (over the minion's own).
var goldenGrains = map[string]string{
	"web01": "grains:\n  os_family: Debian\n  os: Debian\n  osrelease: '12'\n  oscodename: bookworm\n" +
		"  role: web\n  roles: [web, cache]\n  num_cpus: 4\n",
	"db01": "grains:\n  os_family: RedHat\n  os: Rocky\n  osrelease: '9.2'\n  role: db\n  num_cpus: 2\n",
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeFiles writes name → text under dir, making the directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// rootsConf is a roots option (file_roots, pillar_roots) of base and dev
// under dir.
func rootsConf(key, dir string) string {
	return fmt.Sprintf("%s:\n  base:\n    - %s\n  dev:\n    - %s\n", key, filepath.Join(dir, "base"), filepath.Join(dir, "dev"))
}

// jsonOf runs salt-raet with --out json --static and reads the answer
// by minion id.
func (c *cluster) jsonOf(args ...string) map[string]any {
	c.t.Helper()
	r := c.salt(append(args, "--out", "json", "--static")...)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		c.t.Fatalf("salt-raet %v: %q %q: %v", args, r.stdout, r.stderr, err)
	}
	return got
}

// pillarCluster is a master serving a copy of the pillar fixture tree to
// web01 and db01, with the goldens' grains.
func pillarCluster(t *testing.T) *cluster {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pillar")
	copyTree(t, filepath.Join(pillarTree, "tree"), dir)
	c := newCluster(t, true, rootsConf("pillar_roots", dir), "nodegroups:\n  dbs: 'G@role:db'\n")
	for id, grains := range goldenGrains {
		c.addMinion(id, grains)
	}
	c.waitReady("web01", "db01")
	return c
}

// The pillar each minion gets over the road is what Salt 3006.3 compiled
// for the same tree and grains: glob, grain, compound and nodegroup tops,
// map.jinja imported with grains.filter_by, two environments.
func TestPillarOverRoadMatchesSalt(t *testing.T) {
	c := pillarCluster(t)
	got := c.jsonOf("*", "pillar.items")
	for id := range goldenGrains {
		b, err := os.ReadFile(filepath.Join(pillarTree, "salt-3006.3-"+id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[id], want) {
			gb, _ := json.MarshalIndent(got[id], "", "  ")
			t.Errorf("pillar.items of %s:\n%s\nwant (Salt 3006.3):\n%s", id, gb, b)
		}
	}

	if got := c.jsonOf("web01", "pillar.get", "apache:ssl:protocols"); !reflect.DeepEqual(got["web01"], []any{"TLSv1.2", "TLSv1.3"}) {
		t.Errorf("pillar.get apache:ssl:protocols: %v", got)
	}
	if got := c.jsonOf("db01", "pillar.get", "db:backup:keep"); got["db01"] != float64(14) {
		t.Errorf("pillar.get db:backup:keep: %v", got)
	}
	if got := c.jsonOf("db01", "pillar.get", "apache:port", "default=8080"); got["db01"] != float64(8080) {
		t.Errorf("pillar.get with a default: %v", got)
	}

	// Targeting by pillar, resolved on the master from the cached pillar.
	targets := []struct {
		args []string
		want []string
	}{
		{[]string{"-I", "apache:server:apache2"}, []string{"web01"}},
		{[]string{"-I", "db:engine:postgres"}, []string{"db01"}},
		{[]string{"-I", "common:ntp:pool.ntp.org"}, []string{"db01", "web01"}},
		{[]string{"-J", "debian:codename:^book"}, []string{"web01"}},
		{[]string{"-C", "I@db:port:5432 or I@apache:port:80"}, []string{"db01", "web01"}},
		{[]string{"-C", "I@common:ntp:pool.ntp.org and not web*"}, []string{"db01"}},
		{[]string{"-C", "G@role:web and J@users:alice:shell:^/bin/ba"}, []string{"web01"}},
	}
	for _, tc := range targets {
		got := c.jsonOf(append(tc.args, "test.ping")...)
		var ids []string
		for id, v := range got {
			if v == true {
				ids = append(ids, id)
			}
		}
		if slices.Sort(ids); strings.Join(ids, ",") != strings.Join(tc.want, ",") {
			t.Errorf("salt-raet %v test.ping answered by %v, want %v", tc.args, got, tc.want)
		}
	}
}

// errorCluster is a master with pillar_safe_render_error off serving a copy
// of the pillar fixture of broken files (a Jinja syntax error, bad YAML, a
// top file of bad YAML in environment other) to m1.
func errorCluster(t *testing.T) (*cluster, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pillar")
	copyTree(t, filepath.Join(pillarTree, "errtree"), dir)
	roots := fmt.Sprintf("pillar_roots:\n  base:\n    - %s\n  other:\n    - %s\n", filepath.Join(dir, "base"), filepath.Join(dir, "other"))
	c := newCluster(t, true, roots, "pillar_safe_render_error: False\n")
	c.addMinion("m1")
	c.waitReady("m1")
	return c, dir
}

// pillarErrors is the _errors of the minion's pillar.items.
func (c *cluster) pillarErrors(id string) []string {
	c.t.Helper()
	got := c.jsonOf(id, "pillar.items")
	p, ok := got[id].(map[string]any)
	if !ok {
		c.t.Fatalf("pillar.items: %v", got)
	}
	var errs []string
	for _, e := range p["_errors"].([]any) {
		errs = append(errs, fmt.Sprint(e))
	}
	return errs
}

// A render error reaches the operator in _errors naming the file and the
// line; a top file of bad YAML is an error too, and the master goes on.
func TestPillarRenderErrors(t *testing.T) {
	c, dir := errorCluster(t)
	errs := c.pillarErrors("m1")
	all := strings.Join(errs, "\n---\n")
	var jinja, top bool
	for _, e := range errs {
		jinja = jinja || strings.Contains(e, "badjinja.sls") && strings.Contains(e, "line 2")
		top = top || strings.HasPrefix(e, "Rendering Primary Top file failed")
	}
	if !jinja || !top {
		t.Errorf("_errors lack the Jinja error with its file and line, or the top file's:\n%s", all)
	}
	t.Logf("_errors of m1:\n%s", all)
	if got := c.jsonOf("m1", "pillar.get", "good:secret"); got["m1"] != "s3cret" {
		t.Errorf("the good file's pillar beside the errors: %v", got)
	}
	if c.md.cmd.ProcessState != nil {
		t.Fatal("the master stopped")
	}
	c.waitReady("m1")

	// Mended, the pillar refreshes without the file's error.
	writeFiles(t, dir, map[string]string{"base/badjinja.sls": "a: 1\nb: {{ 1 + 1 }}\n"})
	if got := c.jsonOf("m1", "saltutil.refresh_pillar"); got["m1"] != true {
		t.Fatalf("saltutil.refresh_pillar: %v", got)
	}
	for _, e := range c.pillarErrors("m1") {
		if strings.Contains(e, "badjinja") {
			t.Errorf("after mending, _errors still has %q", e)
		}
	}
}

// linesAtInfo is the text of a log's records at info level and above (a
// record's continuation lines go with it).
func linesAtInfo(log string) string {
	var out strings.Builder
	keep := false
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "[") {
			keep = !strings.HasPrefix(l, "[DEBUG") && !strings.HasPrefix(l, "[TRACE") && !strings.HasPrefix(l, "[GARBAGE")
		}
		if keep {
			out.WriteString(l + "\n")
		}
	}
	return out.String()
}

// A pillar value is never in the master's or the minion's log at info or
// above, even when its files fail to render around it.
func TestPillarSecretNotLogged(t *testing.T) {
	c, _ := errorCluster(t)
	if got := c.jsonOf("m1", "pillar.get", "good:secret"); got["m1"] != "s3cret" {
		t.Fatalf("pillar.get good:secret: %v", got)
	}
	c.jsonOf("m1", "pillar.items")
	c.jsonOf("m1", "saltutil.refresh_pillar")
	c.waitReady("m1")
	for _, d := range []*daemon{c.md, c.mds["m1"]} {
		log := d.logText()
		if !strings.Contains(log, "[INFO") {
			t.Fatalf("%s logged nothing at info: %q", d.name, log)
		}
		if info := linesAtInfo(log); strings.Contains(info, "s3cret") {
			t.Errorf("%s logged the secret at info or above:\n%s", d.name, info)
		}
	}
}

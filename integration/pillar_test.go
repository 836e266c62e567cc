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

package pillar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// goldenMinions are the ids and grains the Salt 3006.3 goldens were
// produced with (testdata/README.md).
var goldenMinions = map[string]map[string]any{
	"web01": {"id": "web01", "os_family": "Debian", "os": "Debian", "osrelease": "12", "oscodename": "bookworm",
		"role": "web", "roles": []any{"web", "cache"}, "num_cpus": int64(4)},
	"db01": {"id": "db01", "os_family": "RedHat", "os": "Rocky", "osrelease": "9.2", "role": "db", "num_cpus": int64(2)},
}

func treeOptions() Options {
	return Options{
		Roots: map[string][]string{
			"base": {filepath.Join("testdata", "tree", "base")},
			"dev":  {filepath.Join("testdata", "tree", "dev")},
		},
		Nodegroups: map[string]any{"dbs": "G@role:db"},
	}
}

// asJSON is v as encoding/json reads it back, so that int64 and float64
// compare as the golden's numbers do.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := body.AppendJSON(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCompileMatchesSalt compiles the fixture tree for two minions and
// compares with what Salt 3006.3 compiled for it.
func TestCompileMatchesSalt(t *testing.T) {
	c := New(treeOptions())
	for id, grains := range goldenMinions {
		t.Run(id, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "salt-3006.3-"+id+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			got := asJSON(t, c.Compile(id, grains, "", "", nil))
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("pillar of %s:\n%s\nwant (Salt 3006.3):\n%s", id, gb, b)
			}
		})
	}
}

// TestCompileConcurrent: one Compiler serves many minions at once (the
// master compiles for several requests together); run with -race.
func TestCompileConcurrent(t *testing.T) {
	c := New(treeOptions())
	want := asJSON(t, c.Compile("web01", goldenMinions["web01"], "", "", nil))
	done := make(chan any, 8)
	for range 8 {
		go func() { done <- c.Compile("web01", goldenMinions["web01"], "", "", nil) }()
	}
	for range 8 {
		if got := asJSON(t, <-done); !reflect.DeepEqual(got, want) {
			t.Errorf("concurrent compile gave %v", got)
		}
	}
}

package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/runner"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// pillarFixture: pillar_roots whose top gives every minion "common" and
// minions with os A "os_a", which renders the minion's grains.
func pillarFixture(t *testing.T) *runner.Runners {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"top.sls":    "base:\n  '*':\n    - common\n  'os:A':\n    - match: grain\n    - os_a\n",
		"common.sls": "common: 1\n",
		"os_a.sls":   "who: {{ grains['id'] }}\nrole: {{ grains.get('role', 'none') }}\n",
	})
	cfg := masterConfig(t, fmt.Sprintf("pillar_roots:\n  base:\n    - %s\n", dir))
	acceptKeys(t, cfg, "m1", "m2")
	writeBank(t, cfg, "m1", "data.p", kv("grains", kv("id", "m1", "os", "A"), "pillar", kv()))
	writeBank(t, cfg, "m2", "data.p", kv("grains", kv("id", "m2", "os", "B"), "pillar", kv()))
	return runner.New(&runner.Env{Opts: cfg})
}

func TestPillarShowPillar(t *testing.T) {
	r := pillarFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{"m1"}, `{"common":1,"role":"none","who":"m1"}`},
		{[]any{"m2"}, `{"common":1}`},
		// other kwargs are grains
		{[]any{"m1", "role=web"}, `{"common":1,"role":"web","who":"m1"}`},
		// no cached grains: {"fqdn": minion}
		{nil, `{"common":1}`},
	} {
		res := r.Run(ctx, "pillar.show_pillar", tc.args)
		if res.Raised {
			t.Errorf("show_pillar %v raised: %v", tc.args, res.Return)
			continue
		}
		if got := sortedLine(t, res.Return); got != tc.want {
			t.Errorf("show_pillar %v = %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestPillarShowTop(t *testing.T) {
	r := pillarFixture(t)
	res := r.Run(context.Background(), "pillar.show_top", []any{"m1"})
	want := `{"base": {"*": ["common"], "os:A": [{"match": "grain"}, "os_a"]}}`
	if got := oneLine(t, res.Return); res.Raised || got != want {
		t.Errorf("show_top m1 = %s, want %s", got, want)
	}
}

// TestPillarShowTopError: a top file that does not render is the list of
// errors, as show_top returns them.
func TestPillarShowTopError(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"top.sls": "base:\n  '*':\n    - {{ nope(\n"})
	cfg := masterConfig(t, fmt.Sprintf("pillar_roots:\n  base:\n    - %s\n", dir))
	res := runner.New(&runner.Env{Opts: cfg}).Run(context.Background(), "pillar.show_top", nil)
	errs, ok := res.Return.([]string)
	if res.Raised || !ok || len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "top") {
		t.Errorf("show_top with a broken top.sls = %#v, want its errors", res.Return)
	}
}

// sortedLine is a compiled pillar (a map) as compact JSON, keys sorted.
func sortedLine(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package states

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestRetOrder checks the key order of returns whose Salt 3006.3 JSON
// (salt-call --local --out json, by hand) is not name, changes, result,
// comment.
func TestRetOrder(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	f := &fakeCrontab{tabs: map[string]string{}}
	prev := cronRunner
	cronRunner = f.run
	t.Cleanup(func() { cronRunner = prev })
	missing := filepath.Join(dir, "nope")
	cases := []struct {
		fun, name string
		args      body.Map
		want      []string
	}{
		{"file.managed", filepath.Join(dir, "m"), argMap("contents", "x\n"), []string{"changes", "comment", "name", "result"}},
		{"file.copy", filepath.Join(dir, "c"), argMap("source", missing), []string{"name", "changes", "comment", "result"}},
		{"file.rename", filepath.Join(dir, "r"), argMap("source", missing), []string{"name", "changes", "comment", "result"}},
		{"cron.present", "/bin/true", argMap("user", "www"), []string{"changes", "comment", "name", "result"}},
		{"cron.absent", "/bin/true", argMap("user", "www"), []string{"name", "result", "changes", "comment"}},
		{"module.run", "test.true", nil, []string{"name", "changes", "comment", "result"}},
		{"file.directory", dir, nil, nil},
		{"test.nop", "n", nil, nil},
	}
	for _, tc := range cases {
		for _, test := range []bool{true, false} {
			if r := run(t, env, tc.fun, tc.name, tc.args, test); !slices.Equal(r.Order, tc.want) {
				t.Errorf("%s test=%v: order %v, want %v", tc.fun, test, r.Order, tc.want)
			}
		}
	}
}

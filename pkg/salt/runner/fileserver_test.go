package runner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/runner"
)

func TestFileserverLists(t *testing.T) {
	base, prod := t.TempDir(), t.TempDir()
	writeFiles(t, base, map[string]string{"top.sls": "x", "web/init.sls": "y", "web/files/a.conf": "z"})
	writeFiles(t, prod, map[string]string{"p.sls": "x"})
	if err := os.Mkdir(filepath.Join(base, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := masterConfig(t, fmt.Sprintf("file_roots:\n  base:\n    - %s\n  prod:\n    - %s\n", base, prod))
	r := runner.New(&runner.Env{Opts: cfg})
	ctx := context.Background()
	for _, tc := range []struct {
		fun  string
		args []any
		want string
	}{
		{"fileserver.file_list", nil, `["top.sls", "web/files/a.conf", "web/init.sls"]`},
		{"fileserver.file_list", []any{"saltenv=prod"}, `["p.sls"]`},
		{"fileserver.file_list", []any{"base", "roots"}, `["top.sls", "web/files/a.conf", "web/init.sls"]`},
		{"fileserver.file_list", []any{"base", "-roots"}, `[]`},
		{"fileserver.file_list", []any{"base", "git"}, `[]`},
		{"fileserver.dir_list", nil, `["empty", "web", "web/files"]`},
		{"fileserver.empty_dir_list", nil, `["empty"]`},
		{"fileserver.envs", nil, `["base", "prod"]`},
		{"fileserver.envs", []any{"sources=True"}, `["roots"]`}, // sorted({"roots": [...]}), as Salt 3006
	} {
		res := r.Run(ctx, tc.fun, tc.args)
		if res.Raised {
			t.Errorf("%s %v raised: %v", tc.fun, tc.args, res.Return)
			continue
		}
		if got := oneLine(t, res.Return); got != tc.want {
			t.Errorf("%s %v = %s, want %s", tc.fun, tc.args, got, tc.want)
		}
	}
}

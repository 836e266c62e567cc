package state

import (
	"context"
	"path/filepath"
	"testing"
)

// TestTopLikeSalt reads testdata/top/merge (file_roots base and dev, minion
// m1 with grain os: Debian) with each top_file_merging_strategy; the
// expected tops are Salt 3006.3's state.show_top, and the highstate's high
// data its state.show_highstate (merge).
func TestTopLikeSalt(t *testing.T) {
	dir := "testdata/top/merge"
	src := LocalSource{Roots: map[string][]string{"base": {filepath.Join(dir, "base")}, "dev": {filepath.Join(dir, "dev")}}}
	cases := []struct{ strategy, saltenv, file string }{
		{"", "", "top.json"},
		{"merge", "", "top.json"},
		{"same", "", "top_same.json"},
		{"merge_all", "", "top_merge_all.json"},
		{"merge_all", "dev", "top_saltenv_dev.json"},
	}
	for _, c := range cases {
		t.Run(c.strategy+c.saltenv, func(t *testing.T) {
			comp := &Compiler{Source: src, Grains: map[string]any{"id": "m1", "os": "Debian"},
				Opts: map[string]any{"id": "m1", "top_file_merging_strategy": c.strategy}}
			top, errs := comp.Top(context.Background(), c.saltenv)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			checkJSON(t, dir, c.file, sortedTop(top))
		})
	}
	comp := &Compiler{Source: src, Grains: map[string]any{"id": "m1", "os": "Debian"}, Opts: map[string]any{"id": "m1"}}
	high, errs := comp.Highstate(context.Background(), "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	checkJSON(t, dir, "high.json", high)
}

// sortedTop is a top as Salt's JSON prints it: environments sorted.
func sortedTop(top map[string][]string) any {
	out := map[string]any{}
	for env, sls := range top {
		out[env] = sls
	}
	return out
}

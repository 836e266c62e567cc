package state

import (
	"context"
	"os"
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

// A top file Salt cannot merge, or whose targets are malformed, is
// reported in Salt's words (Salt 3006.3's state.show_top; for the first,
// its highstate's comment: show_top raises).
func TestTopErrors(t *testing.T) {
	cases := []struct{ top, want string }{
		{"base:\n  - web\n", "Unable to render top file: Unable to render top file. No targets found."},
		{"base:\n  '*': web\n", "Malformed topfile (state declarations not formed as a list)"},
		{"base:\n  '*':\n    - ''\n", "Environment base contains an empty sls index"},
		{"base:\n  '*':\n    - match:\n    - web\n", "Improperly formatted top file matcher in saltenv OrderedDict([('match', None)]): None file"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "top.sls"), []byte(c.top), 0o644); err != nil {
			t.Fatal(err)
		}
		comp := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {dir}}}, Opts: map[string]any{"id": "m1"}}
		_, errs := comp.Top(context.Background(), "")
		if len(errs) != 1 || errs[0] != c.want {
			t.Errorf("top %q: errors %q, want %q", c.top, errs, c.want)
		}
	}
}

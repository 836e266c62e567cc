package state

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestCompileLikeSalt renders each tree of testdata/compile (the sls
// named in its MODS file, from the tree as file_roots) and compiles it;
// high.json and low.json are what Salt 3006.3 answered for the same tree
// (state.show_highstate and state.show_lowstate with a top.sls listing
// MODS, minion id m1), compared key order and all.
func TestCompileLikeSalt(t *testing.T) {
	dirs, err := filepath.Glob("testdata/compile/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			mods, err := os.ReadFile(filepath.Join(dir, "MODS"))
			if err != nil {
				t.Fatal(err)
			}
			c := &Compiler{
				Source: LocalSource{Roots: map[string][]string{"base": {dir}}},
				Grains: map[string]any{"id": "m1"}, Opts: map[string]any{"id": "m1"},
			}
			high, errs := c.High(context.Background(), "base", strings.Fields(string(mods)))
			checkJSON(t, dir, "errors.json", errs)
			if len(errs) > 0 {
				return
			}
			checkJSON(t, dir, "high.json", high)
			low, errs := Compile(high)
			checkJSON(t, dir, "compile_errors.json", errs)
			chunks := make([]body.Map, len(low))
			for i := range low {
				chunks[i] = low[i].Chunk
			}
			if len(errs) == 0 {
				checkJSON(t, dir, "low.json", chunks)
			}
		})
	}
}

// checkJSON compares got, as JSON, with the file (both read back as
// ordered data); a missing file expects nothing (nil or empty).
func checkJSON(t *testing.T, dir, name string, got any) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(dir, name))
	if os.IsNotExist(err) {
		if b, _ := json.Marshal(got); string(b) != "null" && string(b) != "[]" && string(b) != "{}" {
			t.Errorf("%s: got %s, want nothing", name, b)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	gb, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	g, w := normJSON(t, gb), normJSON(t, want)
	if g != w {
		t.Errorf("%s:\n got %s\nwant %s", name, g, w)
	}
}

func normJSON(t *testing.T, b []byte) string {
	t.Helper()
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

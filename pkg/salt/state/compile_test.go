package state

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// TestCompileLikeSalt renders each tree of testdata/compile (the sls
// named in its MODS file, from the tree as file_roots) and compiles it;
// high.json and low.json are what Salt 3006.3 answered for the same tree
// (state.show_highstate and state.show_lowstate with a top.sls listing
// MODS, minion id m1, the minion options of OPTS.json when there is one),
// compared key order and all.
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
			opts := map[string]any{"id": "m1"}
			if b, err := os.ReadFile(filepath.Join(dir, "OPTS.json")); err == nil {
				if err := json.Unmarshal(b, &opts); err != nil {
					t.Fatal(err)
				}
			}
			c := &Compiler{
				Source: LocalSource{Roots: map[string][]string{"base": {dir}}},
				Grains: map[string]any{"id": "m1"}, Opts: opts,
				Renderer: &render.Renderer{Caller: grainsGet},
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

// grainsGet is the minion's grains.get for the fixtures (grains: id m1).
func grainsGet(fun string, args []any, _ map[string]any) (any, error) {
	if fun != "grains.get" || len(args) == 0 {
		return nil, fmt.Errorf("%s is not available here", fun)
	}
	if args[0] == "id" {
		return "m1", nil
	}
	if len(args) > 1 {
		return args[1], nil
	}
	return "", nil
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

// A render failure is Salt's "Rendering SLS 'env:sls' failed: " with the
// renderer's words after it (gonja's, not Jinja2's), and nothing else.
func TestRenderErrorReported(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.sls"), []byte("x: {{ nope }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {dir}}}}
	high, errs := c.High(context.Background(), "base", []string{"broken"})
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "Rendering SLS 'base:broken' failed: ") || len(high) != 0 {
		t.Errorf("High = %v, %q", high, errs)
	}
}

// Compile leaves the high data it is given as it was, so that
// state.show_highstate and a run may share it.
func TestCompileKeepsHigh(t *testing.T) {
	high := High{
		{Key: "a", Value: body.Map{{Key: "test", Value: []any{"nop", body.Map{{Key: "require_in", Value: []any{"b"}}}}}, {Key: "__sls__", Value: "s"}, {Key: "__env__", Value: "base"}}},
		{Key: "b", Value: body.Map{{Key: "test", Value: []any{"nop"}}, {Key: "__sls__", Value: "s"}, {Key: "__env__", Value: "base"}}},
	}
	before, _ := json.Marshal(high)
	low, errs := Compile(high)
	after, _ := json.Marshal(high)
	if string(before) != string(after) {
		t.Errorf("Compile changed its input:\n%s\n%s", before, after)
	}
	if len(errs) != 0 || len(low) != 2 {
		t.Fatalf("Compile = %v %v", low, errs)
	}
	want := []Requisite{{Kind: "require", State: "test", Ref: "a"}}
	if b := low[1]; b.ID != "b" || !slices.Equal(b.Reqs, want) || len(b.Args) != 0 || b.Order != 1 {
		t.Errorf("chunk b = %+v, want Reqs %v", b, want)
	}
	if a := low[0]; a.ID != "a" || len(a.Reqs) != 0 || len(a.Args) != 0 {
		t.Errorf("chunk a = %+v: require_in is neither a requisite nor an argument of a", a)
	}
}

// listen_in stays in the chunk that names it (Salt's low data keeps it)
// and the chunk it names gets the listen the runtime acts on.
func TestListenInTurned(t *testing.T) {
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {"testdata/compile/use"}}}}
	high, errs := c.High(context.Background(), "base", []string{"u"})
	low, cerrs := Compile(high)
	if len(errs)+len(cerrs) > 0 {
		t.Fatal(errs, cerrs)
	}
	for _, l := range low {
		switch l.ID {
		case "svc":
			if want := []Requisite{{Kind: "listen", State: "test", Ref: "other"}}; !slices.Equal(l.Reqs, want) {
				t.Errorf("svc Reqs = %v, want %v", l.Reqs, want)
			}
		case "other":
			if len(l.Reqs) != 0 || l.Args.Has("listen_in") || !l.Chunk.Has("listen_in") {
				t.Errorf("other = %+v: listen_in belongs in Chunk only", l)
			}
		case "user_file":
			if g, _ := l.Args.Get("group"); g != "adm" || l.Args.Has("use") {
				t.Errorf("user_file Args = %v: want group from use_in, no use", l.Args)
			}
		}
	}
}

// Verify reports what Salt 3006.3's state.sls reported for the tree of
// testdata/compile/badreq (verify_high's errors; it has no extend).
func TestVerify(t *testing.T) {
	dir := "testdata/compile/badreq"
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {dir}}}}
	high, errs := c.High(context.Background(), "base", []string{"bad"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	checkJSON(t, dir, "compile_errors.json", Verify(high))
}

// An environment the Source does not have is Salt 3006.3's two errors
// (state.show_sls e1 saltenv=nope).
func TestUnknownSaltenv(t *testing.T) {
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {"testdata/compile/extend"}}}}
	_, errs := c.High(context.Background(), "nope", []string{"e1"})
	want := []string{"No matching salt environment for environment 'nope' found", "No matching sls found for 'e1' in env 'nope'"}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
}

// An include of {_xenv: sls} is what Salt 3006.3 says of it.
func TestXenvInclude(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"a.sls": "include:\n  - _xenv: b\na:\n  test.nop\n", "b.sls": "b:\n  test.nop\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {dir}}}}
	_, errs := c.High(context.Background(), "base", []string{"a"})
	if want := []string{"Nonexistent saltenv '_xenv' found in include of 'b' within SLS 'base:a'"}; !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
}

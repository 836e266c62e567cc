package modules

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
)

// grainsMinion is what a minion does for the grains module: core grains
// under the grains file of its config dir, reloaded on RefreshGrains.
type grainsMinion struct {
	t       *testing.T
	dir     string
	core    map[string]any
	mu      sync.Mutex
	grains  map[string]any
	pillars int
}

func newGrainsMinion(t *testing.T, core map[string]any) (*grainsMinion, *Executor) {
	gm := &grainsMinion{t: t, dir: t.TempDir(), core: core, grains: core}
	e := New(Options{
		Config: &config.Minion{Common: config.Common{ConfigDir: gm.dir}},
		Grains: func() map[string]any { gm.mu.Lock(); defer gm.mu.Unlock(); return gm.grains },
		RefreshGrains: func(context.Context) error {
			g := maps.Clone(gm.core)
			maps.Copy(g, gm.file())
			gm.mu.Lock()
			gm.grains = g
			gm.mu.Unlock()
			return nil
		},
		RefreshPillar: func(context.Context) error { gm.pillars++; return nil },
	})
	return gm, e
}

// file is the grains file as the minion reads it.
func (gm *grainsMinion) file() map[string]any {
	m, err := ReadGrainsFile(filepath.Join(gm.dir, "grains"))
	if err != nil {
		gm.t.Fatalf("grains file: %v", err)
	}
	return m
}

func (gm *grainsMinion) text() string {
	data, _ := os.ReadFile(filepath.Join(gm.dir, "grains"))
	return string(data)
}

func TestGrainsSetvalPersistsAndRefreshes(t *testing.T) {
	gm, e := newGrainsMinion(t, map[string]any{"os": "Debian", "id": "m1"})
	wantOK(t, run(e, "grains.setval", "deploy", "blue"), body.Map{{Key: "deploy", Value: "blue"}})
	if gm.text() != "deploy: blue\n" {
		t.Fatalf("grains file %q", gm.text())
	}
	wantOK(t, run(e, "grains.get", "deploy"), "blue")
	if gm.pillars != 1 {
		t.Fatalf("pillar refreshed %d times, want 1", gm.pillars)
	}
	wantOK(t, run(e, "grains.setval", "quiet", int64(1), kw("refresh_pillar", false)), body.Map{{Key: "quiet", Value: int64(1)}})
	if gm.pillars != 1 {
		t.Fatal("refresh_pillar=False refreshed the pillar")
	}
	// setvals: a mapping, written in PyYAML's layout (keys sorted, lists
	// not indented under their key).
	vals := body.Map{{Key: "roles", Value: []any{"web", "db"}}, {Key: "conf", Value: body.Map{{Key: "b", Value: int64(2)}, {Key: "a", Value: true}}}}
	wantOK(t, run(e, "grains.setvals", vals), vals)
	want := "conf:\n  a: true\n  b: 2\ndeploy: blue\nquiet: 1\nroles:\n- web\n- db\n"
	if gm.text() != want {
		t.Fatalf("grains file\n%s\nwant\n%s", gm.text(), want)
	}
	wantOK(t, run(e, "grains.get", "conf:b"), int64(2))
	// The file is replaced whole, keeping its mode; nothing else is left.
	os.Chmod(filepath.Join(gm.dir, "grains"), 0o600)
	run(e, "grains.setval", "deploy", "green")
	if st, _ := os.Stat(filepath.Join(gm.dir, "grains")); st.Mode().Perm() != 0o600 {
		t.Fatalf("grains file mode %v, want the 0600 it had", st.Mode())
	}
	if ents, _ := os.ReadDir(gm.dir); len(ents) != 1 {
		t.Fatalf("config dir holds %v, want the grains file alone", ents)
	}
	wantError(t, run(e, "grains.setvals", "notadict"), "The minion function caused an exception: salt.exceptions.SaltException: setvals grains must be a dictionary.")
	// destructive with None removes the key from the file.
	run(e, "grains.setvals", body.Map{{Key: "quiet", Value: nil}}, kw("destructive", true))
	if _, ok := gm.file()["quiet"]; ok {
		t.Fatalf("destructive None kept the key: %q", gm.text())
	}
	// A grains file that is not YAML is reported, not overwritten.
	os.WriteFile(filepath.Join(gm.dir, "grains"), []byte("a: [\n"), 0o644)
	r := run(e, "grains.setval", "x", "y")
	if s, _ := r.Return.(string); len(s) < 36 || s[:36] != "Unable to read existing grains file:" {
		t.Fatalf("bad grains file: %#v", r.Return)
	}
	if gm.text() != "a: [\n" {
		t.Fatal("a bad grains file was overwritten")
	}
}

func TestGrainsAppendRemove(t *testing.T) {
	gm, e := newGrainsMinion(t, map[string]any{"os": "Debian", "single": "x",
		"nested": map[string]any{"list": []any{"a"}, "other": int64(1)}})
	wantOK(t, run(e, "grains.append", "roles", "web"), body.Map{{Key: "roles", Value: []any{"web"}}})
	wantOK(t, run(e, "grains.append", "roles", []any{"db", "cache"}), body.Map{{Key: "roles", Value: []any{"web", "db", "cache"}}})
	wantOK(t, run(e, "grains.append", "roles", "web"), "The val web was already in the list roles")
	wantOK(t, run(e, "grains.append", "single", "y"), "The key single is not a valid list")
	wantOK(t, run(e, "grains.append", "single", "y", kw("convert", true)), body.Map{{Key: "single", Value: []any{"x", "y"}}})
	// Nested: the top-level grain is written whole, its other keys kept.
	wantOK(t, run(e, "grains.append", "nested:list", "b"),
		body.Map{{Key: "nested", Value: map[string]any{"list": []any{"a", "b"}, "other": int64(1)}}})
	wantOK(t, run(e, "grains.append", "new:sub", "v"), body.Map{{Key: "new", Value: map[string]any{"sub": []any{"v"}}}})

	wantOK(t, run(e, "grains.remove", "roles", "db"), body.Map{{Key: "roles", Value: []any{"web", "cache"}}})
	wantOK(t, run(e, "grains.remove", "roles", "nope"), "The val nope was not in the list roles")
	wantOK(t, run(e, "grains.remove", "os", "Debian"), "The key os is not a valid list")
	wantOK(t, run(e, "grains.remove", "nested:list", "a"),
		body.Map{{Key: "nested", Value: map[string]any{"list": []any{"b"}, "other": int64(1)}}})
	if f := gm.file(); !reflect.DeepEqual(f["roles"], []any{"web", "cache"}) {
		t.Fatalf("grains file roles %#v", f["roles"])
	}
	// The grains the module read were not changed in place.
	if l := gm.core["nested"].(map[string]any)["list"]; !reflect.DeepEqual(l, []any{"a"}) {
		t.Fatalf("the minion's grains were modified: %#v", l)
	}
}

func TestGrainsSetDelval(t *testing.T) {
	gm, e := newGrainsMinion(t, map[string]any{"os": "Debian", "apps": map[string]any{"web": map[string]any{"port": int64(80)}}})
	ret := func(comment string, changes any, result bool) body.Map {
		return body.Map{{Key: "comment", Value: comment}, {Key: "changes", Value: changes}, {Key: "result", Value: result}}
	}
	wantOK(t, run(e, "grains.set", "os", "Debian"), ret("Grain is already set", body.Map{}, true))
	r := run(e, "grains.set", "apps", "x")
	if !reflect.DeepEqual(r.Return, ret("The key 'apps' exists but is a dict or a list. Use 'force=True' to overwrite.", body.Map{}, false)) || r.Retcode != 1 {
		t.Fatalf("set over a dict: %#v (retcode %d)", r.Return, r.Retcode)
	}
	wantOK(t, run(e, "grains.set", "apps:web:port", int64(8080)),
		ret("", body.Map{{Key: "apps", Value: map[string]any{"web": map[string]any{"port": int64(8080)}}}}, true))
	wantOK(t, run(e, "grains.get", "apps:web:port"), int64(8080))
	r = run(e, "grains.set", "os:x", "y")
	if c, _ := r.Return.(body.Map).String("comment"); c != "The key 'os' value is 'Debian', which is different from the provided key 'x'. Use 'force=True' to overwrite." {
		t.Fatalf("set under a string: %q", c)
	}
	wantOK(t, run(e, "grains.set", "os:x", "y", kw("force", true)),
		ret("", body.Map{{Key: "os", Value: map[string]any{"x": "y"}}}, true))

	run(e, "grains.setval", "tmp", "v")
	wantOK(t, run(e, "grains.delval", "tmp"), ret("", body.Map{{Key: "tmp", Value: nil}}, true))
	if v, ok := gm.file()["tmp"]; !ok || v != nil {
		t.Fatalf("delval: grains file %q", gm.text())
	}
	wantOK(t, run(e, "grains.delkey", "tmp"), ret("", body.Map{{Key: "tmp", Value: nil}}, true))
	if _, ok := gm.file()["tmp"]; ok {
		t.Fatalf("delkey kept the key: %q", gm.text())
	}
}

func TestGrainsLookups(t *testing.T) {
	_, e := newGrainsMinion(t, map[string]any{"os_family": "Debian", "roles": []any{"db", "web"},
		"pkg": map[string]any{"apache": "httpd"}, "num": int64(219)})
	wantOK(t, run(e, "grains.has_value", "pkg:apache"), true)
	wantOK(t, run(e, "grains.has_value", "pkg:nginx"), false)
	wantOK(t, run(e, "grains.fetch", "pkg:apache"), "httpd")
	wantOK(t, run(e, "grains.fetch", "nope", "dflt"), "dflt")
	wantOK(t, run(e, "grains.equals", "num", "219"), true)
	wantOK(t, run(e, "grains.equals", "num", "218"), false)

	lookup := body.Map{{Key: "Debian", Value: "Debheads rule"}, {Key: "RedHat", Value: "I love my hat"}}
	wantOK(t, run(e, "grains.filter_by", lookup), "Debheads rule")
	// The items of a list grain in turn, each against the keys in written
	// order: "db" is tried first.
	roles := body.Map{{Key: "w*", Value: "web"}, {Key: "d*", Value: "db"}, {Key: "default", Value: "none"}}
	wantOK(t, run(e, "grains.filter_by", roles, "roles"), "db")
	wantOK(t, run(e, "grains.filter_by", roles, "missing"), "none")
	// Salt's docstring example: {D: {E: I, G: H}, J: K}.
	abc := body.Map{{Key: "A", Value: "B"}, {Key: "C", Value: body.Map{{Key: "D", Value: body.Map{{Key: "E", Value: "F"}, {Key: "G", Value: "H"}}}}}}
	merge := body.Map{{Key: "D", Value: body.Map{{Key: "E", Value: "I"}}}, {Key: "J", Value: "K"}}
	wantOK(t, run(e, "grains.filter_by", abc, "xxx", merge, "C"),
		map[string]any{"D": map[string]any{"E": "I", "G": "H"}, "J": "K"})
	wantError(t, run(e, "grains.filter_by", lookup, "os_family", "notadict"), "The minion function caused an exception: salt.exceptions.SaltException: filter_by merge argument must be a dictionary.")
}

// TestGrainsFileYAML11: the grains file is read as Salt's safe_load reads
// it (yes is True, 0x1F is 31), so rewriting it keeps what Salt would.
func TestGrainsFileYAML11(t *testing.T) {
	gm, e := newGrainsMinion(t, map[string]any{})
	os.WriteFile(filepath.Join(gm.dir, "grains"), []byte("enabled: yes\nport: 0x1F\nname: 'no'\n"), 0o644)
	got, err := ReadGrainsFile(filepath.Join(gm.dir, "grains"))
	if err != nil || !reflect.DeepEqual(got, map[string]any{"enabled": true, "port": int64(31), "name": "no"}) {
		t.Fatalf("ReadGrainsFile = %#v, %v", got, err)
	}
	run(e, "grains.setval", "x", "y")
	if want := "enabled: true\nname: 'no'\nport: 31\nx: y\n"; gm.text() != want {
		t.Fatalf("grains file %q, want %q", gm.text(), want)
	}
	if g, err := ReadGrainsFile(filepath.Join(gm.dir, "missing")); err != nil || len(g) != 0 {
		t.Fatalf("missing file: %#v, %v", g, err)
	}
	os.WriteFile(filepath.Join(gm.dir, "list"), []byte("- a\n"), 0o644)
	if g, err := ReadGrainsFile(filepath.Join(gm.dir, "list")); err != nil || len(g) != 0 {
		t.Fatalf("a list is no grains: %#v, %v", g, err)
	}
}

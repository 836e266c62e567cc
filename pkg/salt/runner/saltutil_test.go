package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// saltutil.sync_all copies the custom modules of file_roots into the
// master's extmods, says what it copied by kind as Salt does, copies
// nothing the second time, and removes what the roots no longer have.
func TestSyncAll(t *testing.T) {
	roots := t.TempDir()
	opts := masterOpts(t, "file_roots: {base: ["+roots+"]}\n")
	writeFile(t, filepath.Join(roots, "_runners", "myrun.py"), "def hi():\n    return 1\n")
	writeFile(t, filepath.Join(roots, "_modules", "mymod.py"), "def x():\n    return 1\n")
	writeFile(t, filepath.Join(roots, "_modules", "sub", "deep.py"), "")
	writeFile(t, filepath.Join(roots, "_modules", "README.txt"), "not a module")
	env := &Env{Opts: opts}
	got := jsonOf(t, run(t, env, "saltutil.sync_all").Return)
	want := `{"clouds": [], "modules": ["modules.mymod", "modules.sub.deep"], "states": [], "grains": [], "renderers": [], ` +
		`"returners": [], "output": [], "proxymodules": [], "runners": ["runners.myrun"], "wheel": [], "engines": [], ` +
		`"thorium": [], "queues": [], "pillar": [], "utils": [], "sdb": [], "cache": [], "fileserver": [], "tops": [], ` +
		`"tokens": [], "serializers": [], "executors": [], "roster": []}`
	if got != want {
		t.Fatalf("sync_all:\n got %s\nwant %s", got, want)
	}
	ext := filepath.Join(opts.Cachedir, "extmods")
	if b, err := os.ReadFile(filepath.Join(ext, "runners", "myrun.py")); err != nil || !strings.Contains(string(b), "def hi") {
		t.Fatalf("runners/myrun.py: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(ext, "modules", "README.txt")); !os.IsNotExist(err) {
		t.Errorf("README.txt synced: %v", err)
	}
	if got := jsonOf(t, run(t, env, "saltutil.sync_modules").Return); got != `[]` {
		t.Errorf("second sync_modules = %s", got)
	}
	if err := os.Remove(filepath.Join(roots, "_modules", "sub", "deep.py")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(roots, "_modules", "mymod.py"), "def x():\n    return 2\n")
	if got := jsonOf(t, run(t, env, "saltutil.sync_modules", "saltenv=base").Return); got != `["modules.mymod"]` {
		t.Errorf("sync_modules after a change = %s", got)
	}
	if _, err := os.Stat(filepath.Join(ext, "modules", "sub")); !os.IsNotExist(err) {
		t.Errorf("a module gone from the roots is kept: %v", err)
	}
	writeFile(t, filepath.Join(roots, "_runners", "other.py"), "")
	if got := jsonOf(t, run(t, env, "saltutil.sync_runners", "extmod_whitelist=other").Return); got != `["runners.other"]` {
		t.Errorf("sync_runners extmod_whitelist=other = %s", got)
	}
}

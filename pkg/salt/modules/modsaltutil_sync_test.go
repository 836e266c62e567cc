package modules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
)

// syncEnv is an Executor with a file client on a fake master whose
// file_roots have custom modules, and a minion config whose cachedir is a
// temp dir; it returns the extension_modules directory.
func syncEnv(t *testing.T, opts Options, conf string) (*Executor, *fileclienttest.Master, string) {
	t.Helper()
	fm := fileclienttest.New(t, "dev")
	fm.Write("base", "_modules/hello.py", []byte("def world():\n    return 'hello'\n"))
	fm.Write("base", "_modules/sub/deep.py", []byte("x = 1\n"))
	fm.Write("base", "_modules/README.txt", []byte("not a module\n"))
	fm.Write("base", "_grains/roles.py", []byte("def roles():\n    return {'roles': ['web']}\n"))
	fm.Write("dev", "_modules/devmod.py", []byte("y = 2\n"))
	dir := t.TempDir()
	cachedir := filepath.Join(dir, "cache")
	if err := os.WriteFile(filepath.Join(dir, "minion"), []byte("id: web1\ncachedir: "+cachedir+"\n"+conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Config = cfg
	opts.Files = fileclient.New(cachedir, fm, "sha256")
	return New(opts), fm, filepath.Join(cachedir, "extmods")
}

func fileIs(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || string(b) != want {
		t.Errorf("%s = %q, %v; want %q", path, b, err, want)
	}
}

func absent(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s is there (%v)", path, err)
	}
}

// sync_modules copies the new and changed modules of salt://_modules into
// <cachedir>/extmods/modules, returns their names, and removes what the
// master no longer has (clean_dynamic_modules), as Salt 3006 does.
func TestSyncModules(t *testing.T) {
	e, fm, ext := syncEnv(t, Options{}, "")
	wantOK(t, run(e, "saltutil.sync_modules"), []any{"modules.hello", "modules.sub.deep"})
	fileIs(t, filepath.Join(ext, "modules", "hello.py"), "def world():\n    return 'hello'\n")
	absent(t, filepath.Join(ext, "modules", "README.txt"))
	if fi, err := os.Stat(filepath.Join(ext, "modules", "hello.py")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("synced module mode %v, %v", fi.Mode(), err)
	}
	wantOK(t, run(e, "saltutil.sync_modules"), []any{})

	fm.Write("base", "_modules/hello.py", []byte("def world():\n    return 'hi'\n"))
	os.RemoveAll(filepath.Join(fm.Roots["base"], "_modules", "sub"))
	wantOK(t, run(e, "saltutil.sync_modules"), []any{"modules.hello"})
	fileIs(t, filepath.Join(ext, "modules", "hello.py"), "def world():\n    return 'hi'\n")
	absent(t, filepath.Join(ext, "modules", "sub"))

	wantOK(t, run(e, "saltutil.sync_modules", "saltenv=base,dev"), []any{"modules.devmod"})
	wantOK(t, run(e, "saltutil.sync_modules", "extmod_blacklist=devmod", "saltenv=base,dev"), []any{})
	absent(t, filepath.Join(ext, "modules", "devmod.py"))
	wantOK(t, run(e, "saltutil.sync_modules", "extmod_whitelist=devmod", "saltenv=dev,base"), []any{"modules.devmod"})
	absent(t, filepath.Join(ext, "modules", "hello.py"))
}

// clean_dynamic_modules: False keeps what the master no longer has;
// extension_modules moves the directory.
func TestSyncOptions(t *testing.T) {
	dir := t.TempDir()
	e, fm, _ := syncEnv(t, Options{}, "clean_dynamic_modules: False\nextension_modules: "+dir+"\n")
	wantOK(t, run(e, "saltutil.sync_modules"), []any{"modules.hello", "modules.sub.deep"})
	os.Remove(filepath.Join(fm.Roots["base"], "_modules", "hello.py"))
	wantOK(t, run(e, "saltutil.sync_modules"), []any{})
	fileIs(t, filepath.Join(dir, "modules", "hello.py"), "def world():\n    return 'hello'\n")
}

// sync_all syncs every form, in Salt's order, and then refreshes the grains
// and pillar; sync_grains does too, sync_modules does not, refresh=False
// neither.
func TestSyncAllRefreshes(t *testing.T) {
	var grains, pillar int
	e, _, ext := syncEnv(t, Options{
		RefreshGrains: func(context.Context) error { grains++; return nil },
		RefreshPillar: func(context.Context) error { pillar++; return nil },
	}, "")
	r := run(e, "saltutil.sync_all")
	want := body.Map{}
	for _, f := range syncForms {
		want = append(want, body.Item{Key: f.form, Value: []any{}})
	}
	want[2].Value = []any{"modules.hello", "modules.sub.deep"}
	want[5].Value = []any{"grains.roles"}
	wantOK(t, r, want)
	fileIs(t, filepath.Join(ext, "grains", "roles.py"), "def roles():\n    return {'roles': ['web']}\n")
	if grains != 1 || pillar != 1 {
		t.Errorf("sync_all refreshed grains %d and pillar %d times, want 1 and 1", grains, pillar)
	}
	run(e, "saltutil.sync_modules")
	run(e, "saltutil.sync_all", "refresh=False")
	run(e, "saltutil.sync_grains")
	if grains != 2 || pillar != 2 {
		t.Errorf("grains refreshed %d times, pillar %d, want 2 and 2", grains, pillar)
	}
	wantError(t, run(e, "saltutil.sync_sdb", "refresh=True"),
		"ERROR executing 'saltutil.sync_sdb': The following keyword arguments are not valid: refresh=True")
}

// Without a file client there is nothing to sync from.
func TestSyncOnlyWithFiles(t *testing.T) {
	if New(Options{}).Has("saltutil.sync_all") {
		t.Error("saltutil.sync_all without a file client")
	}
}

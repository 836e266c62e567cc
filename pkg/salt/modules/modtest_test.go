package modules

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// TestTestModuleFunctions: the test module's functions, grouped by what
// they do, are Salt's set, each once.
func TestTestModuleFunctions(t *testing.T) {
	var names []string
	for _, f := range testFuncs() {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"test.arg", "test.arg_clean", "test.arg_repr", "test.arg_type", "test.assertion",
		"test.attr_call", "test.collatz", "test.conf_test", "test.cross_test", "test.deprecation_warning", "test.echo",
		"test.exception", "test.false", "test.fib", "test.kwarg", "test.missing_func", "test.module_report", "test.not_loaded",
		"test.outputter", "test.ping", "test.provider", "test.providers", "test.raise_exception", "test.rand_sleep",
		"test.rand_str", "test.random_hash", "test.retcode", "test.sleep", "test.true", "test.try", "test.tty",
		"test.version", "test.versions", "test.versions_information", "test.versions_report"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("test module functions %q, want %q", names, want)
	}
}

func TestTestRandom(t *testing.T) {
	e := New(Options{Config: &config.Minion{Common: config.Common{HashType: "sha256"}}})
	seen := map[any]bool{}
	for range 5 {
		r := run(e, "test.random_hash")
		if s, _ := r.Return.(string); len(s) != 64 || !r.Success {
			t.Fatalf("random_hash with hash_type sha256 = %#v", r.Return)
		}
		seen[r.Return] = true
	}
	if len(seen) < 2 {
		t.Fatal("random_hash returned the same hash five times")
	}
	// size 0 leaves one number: the hash of "0".
	wantOK(t, run(e, "test.rand_str", kw("size", int64(0), "hash_type", "md5")), "cfcd208495d565ef66e7dff9f98764da")
	wantOK(t, run(New(Options{}), "test.random_hash", int64(0)), "cfcd208495d565ef66e7dff9f98764da")
	wantError(t, run(e, "test.random_hash", kw("hash_type", "nope")),
		"The minion function caused an exception: AttributeError: module 'hashlib' has no attribute 'nope'")

	wantOK(t, run(e, "test.rand_sleep", int64(0)), true)
	wantError(t, run(e, "test.rand_sleep", int64(-1)), "The minion function caused an exception: ValueError: empty range")
	// rand_sleep ends with the job.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := e.Run(ctx, "test.rand_sleep", []any{int64(1000000)}, cliPub("test.rand_sleep")); !strings.Contains(py.Str(r.Return), "was cancelled") {
		t.Fatalf("cancelled rand_sleep = %#v", r.Return)
	}

	r := run(e, "test.collatz", int64(3))
	got := r.Return.([]any)[0]
	if !reflect.DeepEqual(got, []any{int64(3), int64(10), 5.0, 16.0, 8.0, 4.0, 2.0}) {
		t.Fatalf("collatz 3 steps = %#v", got)
	}
	wantError(t, run(e, "test.collatz", int64(0)), "The minion function caused an exception: ValueError")
}

func TestTestLoaderAndRaise(t *testing.T) {
	cachedir := t.TempDir()
	ext := filepath.Join(cachedir, "extmods", "modules")
	os.MkdirAll(ext, 0o755)
	for _, f := range []string{"hello.py", "grains.py", "_private.py"} {
		os.WriteFile(filepath.Join(ext, f), []byte("x = 1\n"), 0o644)
	}
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: cachedir}}, Grains: func() map[string]any { return map[string]any{"os_family": "Debian"} }})
	wantOK(t, run(e, "test.provider", "cmd"), "cmdmod")
	wantOK(t, run(e, "test.provider", "test"), "test")
	wantOK(t, run(e, "test.provider", "nosuch"), "")
	prov := run(e, "test.providers").Return.(body.Map)
	if v, _ := prov.Get("sysmod"); v != "sys" {
		t.Fatalf("providers %v", prov)
	}
	// hello is synced but not loaded; grains is loaded; _private is skipped.
	wantOK(t, run(e, "test.not_loaded"), []any{"hello"})

	wantOK(t, run(e, "test.cross_test", "test.echo", []any{"hi"}), "hi")
	wantError(t, run(e, "test.cross_test", "test.exception", []any{"boom"}), "The minion function caused an exception: Exception: boom")
	wantError(t, run(e, "test.cross_test", "nosuch.fn"), "The minion function caused an exception: KeyError: 'nosuch.fn'")
	wantOK(t, run(e, "test.try", "test.echo", kw("text", "x")), "x")
	wantOK(t, run(e, "test.try", "test.exception"), nil)
	if r := run(e, "test.attr_call"); r.Return.(body.Map).Keys()[0] != "os_family" {
		t.Fatalf("attr_call = %#v", r.Return)
	}

	wantError(t, run(e, "test.assertion", false), "The minion function caused an exception: AssertionError")
	if r := run(e, "test.assertion", false); r.Return != "The minion function caused an exception: AssertionError" {
		t.Fatalf("assertion False = %q", r.Return)
	}
	wantOK(t, run(e, "test.assertion", true), nil)
	wantError(t, run(e, "test.raise_exception", "salt.exceptions.CommandExecutionError", "went wrong"), "ERROR: went wrong")
	wantError(t, run(e, "test.raise_exception", "ValueError", "bad"), "The minion function caused an exception: ValueError: bad")
	wantError(t, run(e, "test.raise_exception", "KeyError", "k"), "The minion function caused an exception: KeyError: 'k'")
	wantError(t, run(e, "test.raise_exception", "salt.exceptions.MinionError", "m"), "The minion function caused an exception: salt.exceptions.MinionError: m")
	wantError(t, run(e, "test.raise_exception", "TypeError", "An integer is required"), "Passed invalid arguments to test.raise_exception: An integer is required\n")
	wantOK(t, run(e, "test.raise_exception", "NoSuchError"), false)
	wantOK(t, run(e, "test.tty", "tty0", "x"), "ERROR: This function has been moved to cmd.tty")
}

func TestTestVersionsAndOpts(t *testing.T) {
	e := New(Options{Version: "3006.3", Grains: func() map[string]any {
		return map[string]any{"kernel": "Linux", "os": "Debian", "osrelease": "12.15", "oscodename": "bookworm", "osfullname": "Debian GNU/Linux"}
	}})
	r := run(e, "test.versions_report")
	rep, _ := r.Return.(string)
	if !strings.HasPrefix(rep, "Salt Version:\n") || !strings.Contains(rep, "\n          Salt: 3006.3\n \nGo Version:\n") ||
		!strings.Contains(rep, "\n          dist: debian 12.15 bookworm\n") || !strings.HasSuffix(rep, "\n ") {
		t.Fatalf("versions_report:\n%s", rep)
	}
	wantOK(t, run(e, "test.versions"), rep)
	info := run(e, "test.versions_information").Return.(body.Map)
	if !sameStrings(info.Keys(), "Salt Version", "Go Version", "Dependency Versions", "System Versions") {
		t.Fatalf("versions_information sections %v", info.Keys())
	}

	wantOK(t, run(e, "test.conf_test"), "unconfigured")
	set := New(Options{Config: &config.Minion{Common: config.Common{Raw: map[string]any{"test.foo": "bar"}}}})
	wantOK(t, run(set, "test.conf_test"), "bar")

	rep2 := run(e, "test.module_report").Return.(body.Map)
	funcs, _ := rep2.Get("functions")
	missing, _ := rep2.Get("missing_attrs")
	if len(funcs.([]any)) != len(e.Functions()) || !reflect.DeepEqual(funcs, missing) ||
		!sameStrings(rep2.Keys(), "functions", "function_attrs", "function_subs", "modules", "module_attrs", "missing_attrs", "missing_subs") {
		t.Fatalf("module_report %v", rep2.Keys())
	}
}

package modules

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// pythonFallback offers a few functions as the Python worker would.
type pythonFallback []string

func (p pythonFallback) Functions(context.Context) []string { return p }

func (p pythonFallback) Call(_ context.Context, fun string, args []any, _ Pub) (Result, bool) {
	switch fun {
	case "sys.doc", "sys.argspec": // Salt's own, which has every function
		out := body.Map{}
		for _, f := range append([]string{"test.ping"}, p...) {
			if len(args) == 0 || strings.HasPrefix(f, args[0].(string)) {
				out = append(out, body.Item{Key: f, Value: fun + " of " + f})
			}
		}
		return Result{Return: out, Success: true}, true
	}
	for _, f := range p {
		if f == fun {
			return Result{Return: "python " + fun, Success: true}, true
		}
	}
	return Result{}, false
}

// listedStates is a state system that lists its functions.
type listedStates struct{ States }

func (listedStates) Functions() []string {
	return []string{"file.absent", "file.managed", "pkg.installed", "test.nop", "test.succeed_with_changes"}
}

func TestSysListings(t *testing.T) {
	e := New(Options{Fallback: pythonFallback{"kmod.lsmod", "hello.world", "test.ping"}, States: listedStates{}})
	all := run(e, "sys.list_functions").Return.([]any)
	n := len(all)
	if !reflect.DeepEqual(all[n-2:], []any{"hello.world (python)", "kmod.lsmod (python)"}) {
		t.Fatalf("list_functions ends %v, want the Python ones marked, after the built-ins", all[n-3:])
	}
	for _, f := range all[:n-2] {
		if strings.HasSuffix(f.(string), pythonMark) || f == "test.ping (python)" {
			t.Fatalf("built-in listed as python: %v", f)
		}
	}
	if !e.Has(all[0].(string)) {
		t.Fatalf("first listed %v is not a built-in", all[0])
	}
	wantOK(t, run(e, "sys.list_functions", "hello"), []any{"hello.world (python)"})
	wantOK(t, run(e, "sys.list_functions", "sys.list_m*"), []any{"sys.list_modules"})
	wantOK(t, run(e, "sys.list_functions", "cmd.run"), []any{"cmd.run"})
	mods := run(e, "sys.list_modules").Return.([]any)
	if !reflect.DeepEqual(mods[len(mods)-2:], []any{"hello (python)", "kmod (python)"}) || mods[0] != "archive" {
		t.Fatalf("list_modules %v", mods)
	}
	wantOK(t, run(e, "sys.list_modules", "k*"), []any{"kmod (python)"})
	wantOK(t, run(e, "test.provider", "hello"), "hello")
	// The fallback's function runs; the built-in shadows its test.ping.
	wantOK(t, run(e, "test.cross_test", "hello.world"), "python hello.world")
	wantOK(t, run(e, "test.ping"), true)

	wantOK(t, run(e, "sys.list_state_functions", "test"), []any{"test.nop", "test.succeed_with_changes"})
	wantOK(t, run(e, "sys.list_state_functions", "file.m*"), []any{"file.managed"})
	wantOK(t, run(e, "sys.list_state_modules"), []any{"file", "pkg", "test"})
	wantOK(t, run(e, "sys.list_state_modules", "p*"), []any{"pkg"})
	wantOK(t, run(New(Options{}), "sys.list_state_modules"), []any{})
	wantOK(t, run(e, "sys.reload_modules"), true)
}

func TestSysDoc(t *testing.T) {
	e := New(Options{})
	wantOK(t, run(e, "sys.doc", "test.echo"), body.Map{{Key: "test.echo",
		Value: "\n    Return a string - used for testing the connection\n\n    CLI Example:\n\n        salt '*' test.echo 'foo bar baz quo qux'\n    "}}) // Salt 3006's, byte for byte
	r := run(e, "sys.doc", "sys")
	keys := r.Return.(body.Map).Keys()
	if len(keys) < 5 || keys[0] != "sys.argspec" {
		t.Fatalf("sys.doc sys = %v", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "sys.") {
			t.Fatalf("sys.doc sys gave %s", k)
		}
	}
	wantOK(t, run(e, "sys.doc", "sys.list_*"), run(e, "sys.doc", "sys.list_functions", "sys.list_modules", "sys.list_state_functions", "sys.list_state_modules").Return)
	wantOK(t, run(e, "sys.doc", "nosuch"), body.Map{})
	wantOK(t, run(e, "sys.doc", "test.missing_func"), body.Map{{Key: "test.missing_func", Value: nil}})
	if all := run(e, "sys.doc").Return.(body.Map); len(all) != len(e.Functions()) {
		t.Fatalf("sys.doc gave %d docs for %d functions", len(all), len(e.Functions()))
	}
	// The same docstring follows an argument error, as Salt appends __doc__.
	wantError(t, run(e, "test.echo"), "Passed invalid arguments to test.echo: echo() missing 1 required positional argument: 'text'\n\n    Return a string - used for testing the connection\n\n    CLI Example:\n\n    .. code-block:: bash\n\n        salt '*' test.echo")
	if got := stripRST("a\n    .. code-block:: bash\n\n        salt x\n.. versionadded:: 3006"); got != "a\n        salt x\nNew in version 3006" {
		t.Fatalf("stripRST = %q", got)
	}
}

func TestSysArgspec(t *testing.T) {
	e := New(Options{})
	wantOK(t, run(e, "sys.argspec", "test.echo"), body.Map{{Key: "test.echo", Value: body.Map{
		{Key: "args", Value: []any{"text"}}, {Key: "defaults", Value: nil}, {Key: "varargs", Value: nil}, {Key: "kwargs", Value: nil}}}})
	wantOK(t, run(e, "sys.argspec", "grains.get"), body.Map{{Key: "grains.get", Value: body.Map{
		{Key: "args", Value: []any{"key", "default", "delimiter", "ordered"}}, {Key: "defaults", Value: []any{"", ":", true}},
		{Key: "varargs", Value: nil}, {Key: "kwargs", Value: nil}}}})
	wantOK(t, run(e, "sys.argspec", "sys.list_functions"), body.Map{{Key: "sys.list_functions", Value: body.Map{
		{Key: "args", Value: nil}, {Key: "defaults", Value: nil}, {Key: "varargs", Value: true}, {Key: "kwargs", Value: true}}}})
	wantOK(t, run(e, "sys.argspec"), body.Map{})
	r := run(e, "sys.argspec", "test")
	if keys := r.Return.(body.Map).Keys(); len(keys) != len(testFuncs()) || keys[0] != "test.arg" {
		t.Fatalf("sys.argspec test = %v", keys)
	}
	spec, _ := run(e, "sys.argspec", "cmd.run").Return.(body.Map).Get("cmd.run")
	args, _ := spec.(body.Map).Get("args")
	defs, _ := spec.(body.Map).Get("defaults")
	if len(args.([]any)) != len(defs.([]any))+1 {
		t.Fatalf("cmd.run: %d args, %d defaults; want one required", len(args.([]any)), len(defs.([]any)))
	}
}

// TestSysDocFallback: sys.doc and sys.argspec ask the Python fallback's
// own for the functions only it has; the built-ins' entries stay ours.
func TestSysDocFallback(t *testing.T) {
	e := New(Options{Fallback: pythonFallback{"kmod.lsmod", "hello.world", "test.ping"}})
	wantOK(t, run(e, "sys.doc", "hello"), body.Map{{Key: "hello.world", Value: "sys.doc of hello.world"}})
	r := run(e, "sys.doc", "test.p*")
	if r.Return.(body.Map)[0].Value == "sys.doc of test.ping" {
		t.Fatal("the fallback's doc replaced a built-in's")
	}
	all := run(e, "sys.doc").Return.(body.Map)
	keys := all.Keys()
	if !slices.IsSorted(keys) || !all.Has("kmod.lsmod") || len(keys) != len(e.Functions())+2 {
		t.Fatalf("sys.doc keys (%d): sorted %v, kmod.lsmod %v", len(keys), slices.IsSorted(keys), all.Has("kmod.lsmod"))
	}
	wantOK(t, run(e, "sys.argspec", "kmod"), body.Map{{Key: "kmod.lsmod", Value: "sys.argspec of kmod.lsmod"}})
}

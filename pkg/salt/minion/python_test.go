package minion

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// python_fallback: false means no worker at all; unset, a worker tried once
// (Optional); true, one that is retried. The worker gets the minion's
// paths, its extension modules in <cachedir>/extmods.
func TestFallbackConfig(t *testing.T) {
	e := newEnv(t, netipPort(4506), "python_fallback: false\n")
	if _, ok := fallbackConfig(e.cfg, e.log); ok {
		t.Error("a worker with python_fallback: false")
	}
	e = newEnv(t, netipPort(4506), "")
	cfg, ok := fallbackConfig(e.cfg, e.log)
	if !ok || !cfg.Optional || cfg.ID != "m1" || cfg.ConfFile != filepath.Join(e.root, "etc", "minion") ||
		cfg.ExtensionModules != filepath.Join(e.root, "var/cache/salt/minion/extmods") || cfg.Python != defaultPython() {
		t.Errorf("unset python_fallback: %+v, %v", cfg, ok)
	}
	if v, _ := cfg.Opts.Get("cachedir"); v != filepath.Join(e.root, "var/cache/salt/minion") {
		t.Errorf("worker cachedir %v", v)
	}
	e = newEnv(t, netipPort(4506), "python_fallback: true\npython_fallback_python: /usr/bin/python3\n")
	if cfg, ok := fallbackConfig(e.cfg, e.log); !ok || cfg.Optional || cfg.Python != "/usr/bin/python3" {
		t.Errorf("python_fallback: true: %+v, %v", cfg, ok)
	}
}

type listOnly []string

func (l listOnly) Functions(context.Context) []string { return l }
func (l listOnly) Call(context.Context, string, []any, modules.Pub) (modules.Result, bool) {
	return modules.Result{}, false
}

// Unset, the interpreter is the onedir Salt's where it is installed, else
// python3 on PATH.
func TestDefaultPython(t *testing.T) {
	saved := onedirPython
	defer func() { onedirPython = saved }()
	onedirPython = filepath.Join(t.TempDir(), "python3")
	if got := defaultPython(); got != "python3" {
		t.Errorf("without onedir Salt: %s", got)
	}
	if err := os.WriteFile(onedirPython, nil, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := defaultPython(); got != onedirPython {
		t.Errorf("with onedir Salt: %s", got)
	}
}

// The fallback lists only what the built-ins lack: Salt's test.ping is
// answered by the Go one, never by Python.
func TestFallbackListsWhatBuiltinsLack(t *testing.T) {
	e := modules.New(modules.Options{})
	f := &fallback{Fallback: listOnly{"hello.world", "kmod.lsmod", "test.ping"}, builtin: e.Has}
	if got := f.Functions(context.Background()); !reflect.DeepEqual(got, []string{"hello.world", "kmod.lsmod"}) {
		t.Errorf("Functions = %v", got)
	}
}

// Without python_fallback, a minion has no fallback; a function neither
// has is "not available".
func TestNoFallbackWhenOff(t *testing.T) {
	e := newEnv(t, netipPort(4506), "python_fallback: false\n")
	m := e.start("127.0.0.1:0").m
	if m.openFallback() != nil {
		t.Error("a fallback with python_fallback: false")
	}
	res := m.modules.Run(context.Background(), "hello.world", nil, modules.Pub{})
	if res.Return != "'hello.world' is not available." || res.Retcode != 1 {
		t.Errorf("hello.world = %#v", res)
	}
}

package modules

import (
	"context"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// Executors made by New share one table of the built-in functions; a
// function registered on one is its own, never seen by another.
func TestBuiltinTableSharedAndCopiedOnRegister(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	if !a.Has("test.ping") || !b.Has("test.ping") {
		t.Fatal("test.ping is not registered")
	}
	err := a.Register(Func{Name: "test.ping", Call: func(*Call) (any, error) { return "mine", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Run(context.Background(), "test.ping", nil, Pub{}).Return; got != "mine" {
		t.Errorf("the Executor that registered test.ping runs %v", got)
	}
	if got := b.Run(context.Background(), "test.ping", nil, Pub{}).Return; got != true {
		t.Errorf("another Executor's test.ping returned %v, want true: Register changed the shared table", got)
	}
	if got := New(Options{}).Run(context.Background(), "test.ping", nil, Pub{}).Return; got != true {
		t.Errorf("a new Executor's test.ping returned %v, want true", got)
	}
}

// The hosts functions read hosts.file from the calling Executor's config,
// not from the one the shared table was built with.
func TestHostsPathFromTheCallingExecutor(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{dir + "/a", dir + "/b"} {
		e := New(Options{Config: hostsConfig(p)})
		if res := e.Run(context.Background(), "hosts.add_host", []any{"10.0.0.1", "x" + p[len(p)-1:]}, Pub{}); res.Retcode != 0 {
			t.Fatalf("hosts.add_host in %s: %v", p, res.Return)
		}
	}
	for _, c := range []struct{ path, alias string }{{dir + "/a", "xa"}, {dir + "/b", "xb"}} {
		e := New(Options{Config: hostsConfig(c.path)})
		got := e.Run(context.Background(), "hosts.get_alias", []any{"10.0.0.1"}, Pub{}).Return
		if l, ok := got.([]any); !ok || len(l) != 1 || l[0] != c.alias {
			t.Errorf("hosts.get_alias in %s: %v, want [%s]", c.path, got, c.alias)
		}
	}
}

func hostsConfig(path string) *config.Minion {
	return &config.Minion{Common: config.Common{Raw: map[string]any{"hosts.file": path}}}
}

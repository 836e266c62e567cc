package minion

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// grainsWorker is a fallback that runs grains modules as the Python worker
// would: it merges {roles, deploy: <value>, os: Custom, seen_os: <core's os>} over
// the core grains.
type grainsWorker struct {
	listOnly
	mu    sync.Mutex
	value string
	calls int
}

func (w *grainsWorker) CustomGrains(_ context.Context, core map[string]any) (map[string]any, []string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	g := map[string]any{"roles": w.value, "deploy": w.value, "os": "Custom", "seen_os": core["os"]}
	for k, v := range core {
		if _, ok := g[k]; !ok {
			g[k] = v
		}
	}
	return g, []string{"roles"}, nil
}

func writeGrainsModules(t *testing.T, e *env, names ...string) {
	t.Helper()
	dir := filepath.Join(e.cfg.ExtensionModules(), "grains")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("def g():\n    return {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// newMinion makes (and closes at the end) a minion of e that is not run,
// on a road port of its own.
func newMinion(t *testing.T, e *env, opts ...Option) *Minion {
	t.Helper()
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(e.cfg, e.log, append([]Option{WithRoadConn(conn)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// The custom grains go over the core grains, the grains option over them;
// a refresh runs the modules again.
func TestCustomGrainsMerged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, netipPort(4506), "grains:\n  roles: fromconfig\n")
	writeGrainsModules(t, e, "roles.py", "notes.txt")
	w := &grainsWorker{value: "v1"}
	m := newMinion(t, e, WithGrains(map[string]any{"id": "m1", "os": "Debian"}), withFallback(w))
	if g := m.Grains(); g["os"] != "Custom" || g["seen_os"] != "Debian" || g["roles"] != "fromconfig" || g["deploy"] != "v1" || g["id"] != "m1" {
		t.Fatalf("grains at start = %v", g)
	}
	w.mu.Lock()
	w.value = "v2"
	w.mu.Unlock()
	if err := m.refreshGrains(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := m.Grains(); g["deploy"] != "v2" || g["roles"] != "fromconfig" || g["os"] != "Custom" {
		t.Fatalf("grains after a refresh = %v", g)
	}
}

// No grains modules synced: the worker is not asked (it would start
// Python for nothing).
func TestNoCustomGrainsNoWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, netipPort(4506), "")
	w := &grainsWorker{value: "v1"}
	m := newMinion(t, e, WithGrains(map[string]any{"id": "m1", "os": "Debian"}), withFallback(w))
	m.refreshGrains(context.Background())
	if w.calls != 0 || m.Grains()["os"] != "Debian" {
		t.Errorf("%d calls, grains %v", w.calls, m.Grains())
	}
}

// Without Python Salt the modules are not run, and a warning names them
// once; a new module synced is warned about again.
func TestCustomGrainsWarnedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, netipPort(4506), "python_fallback: false\n")
	writeGrainsModules(t, e, "b.py", "a.py")
	m := newMinion(t, e, WithGrains(map[string]any{"id": "m1", "os": "Debian"}))
	warnings := func() []string {
		e.hook.mu.Lock()
		defer e.hook.mu.Unlock()
		var out []string
		for _, l := range e.hook.entries {
			if strings.Contains(l, "Custom grains modules") {
				out = append(out, l)
			}
		}
		return out
	}
	m.refreshGrains(context.Background())
	m.refreshGrains(context.Background())
	if w := warnings(); len(w) != 1 || !strings.HasPrefix(w[0], "WARNING ") || !strings.HasSuffix(w[0], "(python_fallback is off): a.py, b.py") {
		t.Fatalf("warnings %q", w)
	}
	writeGrainsModules(t, e, "c.py")
	m.refreshGrains(context.Background())
	if w := warnings(); len(w) != 2 || !strings.HasSuffix(w[1], ": a.py, b.py, c.py") {
		t.Fatalf("warnings after c.py %q", w)
	}
	if m.Grains()["os"] != "Debian" {
		t.Errorf("grains %v", m.Grains())
	}
}

package minion

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// TestGrainsSetvalRefreshes: grains.setval writes <config_dir>/grains and
// the minion reloads its grains, so the next job sees the grain and a
// publish targeted at it (-G) runs; the grains option still wins over the
// file.
func TestGrainsSetvalRefreshes(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "grains:\n  roles: [web]\n")
	r := e.start("127.0.0.1:0")

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "grains.setval", "deploy", "blue", kwarg("refresh_pillar", false)))
	fm.waitReturn(jid)
	data, err := os.ReadFile(filepath.Join(e.cfg.ConfigDir, "grains"))
	if err != nil || string(data) != "deploy: blue\n" {
		t.Fatalf("grains file %q (%v)", data, err)
	}
	if g := r.m.Grains()["deploy"]; g != "blue" {
		t.Fatalf("grain deploy after setval = %#v", g)
	}
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "deploy:blue", "grain", "test.ping"))
	if v := field(t, loadOf(t, fm.waitReturn(jid)), "return"); v != true {
		t.Fatalf("ping targeted at the new grain returned %#v", v)
	}
	// The option wins over the file, as Salt's loader merges them.
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "grains.setval", "roles", "db", kwarg("refresh_pillar", false)))
	fm.waitReturn(jid)
	if g := r.m.Grains()["roles"]; len(g.([]any)) != 1 || g.([]any)[0] != "web" {
		t.Fatalf("roles after setting the file's = %#v, want the option's", g)
	}
}

// TestRefreshGrainsWhileRead: a refresh replaces the grains while other
// goroutines read them (run with -race to see the point).
func TestRefreshGrainsWhileRead(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	m, err := New(e.cfg, e.log, WithGrains(map[string]any{"id": "m1", "os": "Debian"}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := os.WriteFile(filepath.Join(e.cfg.ConfigDir, "grains"), []byte("os: Custom\nn: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = len(m.Grains()) + len(m.Grains()["os"].(string))
				}
			}
		}()
	}
	for range 20 {
		if err := m.refreshGrains(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if g := m.Grains(); g["os"] != "Custom" || g["n"] != int64(1) || g["id"] != "m1" {
		t.Fatalf("grains after refresh %#v", g)
	}
}

// kwarg is a published keyword dict of one key, as the CLI packs key=value.
func kwarg(key string, v any) body.Map {
	return body.Map{{Key: "__kwarg__", Value: true}, {Key: key, Value: v}}
}

// TestSysListsStateFunctions: the minion's state system lists the state
// functions it runs for sys.list_state_functions.
func TestSysListsStateFunctions(t *testing.T) {
	// Not parallel: states_minion_test.go swaps wireStates for its run.
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	m, err := New(e.cfg, e.log, WithGrains(map[string]any{"id": "m1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	res := m.modules.Run(context.Background(), "sys.list_state_functions", []any{"file.managed", "test"}, modules.Pub{})
	got, _ := res.Return.([]any)
	if len(got) < 2 || got[0] != "file.managed" || got[1] != "test.configurable_test_state" && got[1] != "test.fail_with_changes" && got[1] != "test.nop" {
		t.Fatalf("sys.list_state_functions = %#v", res.Return)
	}
}

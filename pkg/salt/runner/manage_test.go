package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// TestManageStatusUpDown: test.ping through the master finds the minions
// that run up and the one stopped down; down with removekeys deletes its
// key and its data cache.
func TestManageStatusUpDown(t *testing.T) {
	c := startCluster(t, "", "m1", "m2", "m3")
	c.waitPresent("m1", "m2", "m3")
	out := &testutil.SyncBuffer{}
	r := runner.New(c.env(out))
	ctx := context.Background()

	res := r.Run(ctx, "manage.status", nil)
	if res.Raised {
		t.Fatalf("manage.status raised: %v", res.Return)
	}
	want := body.Map{{Key: "up", Value: []string{"m1", "m2", "m3"}}, {Key: "down", Value: []string{}}}
	if !equalMap(res.Return, want) {
		t.Fatalf("manage.status = %#v, want %#v", res.Return, want)
	}

	c.stopMinion("m2")
	res = r.Run(ctx, "manage.up", []any{"timeout=1", "gather_job_timeout=1"})
	if got, _ := res.Return.([]string); !slices.Equal(got, []string{"m1", "m3"}) {
		t.Fatalf("manage.up with m2 stopped = %#v", res.Return)
	}
	for _, p := range []string{filepath.Join(c.cfg.PKIDir, "accepted", "m2"), filepath.Join(c.cfg.Cachedir, "minions", "m2")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("before removekeys: %v", err)
		}
	}
	watcher, err := c.env(nil).Client()
	if err != nil {
		t.Fatal(err)
	}
	bus := watcher.Stream()
	defer bus.Close()
	res = r.Run(ctx, "manage.down", []any{"removekeys=True", "timeout=1", "gather_job_timeout=1"})
	if got, _ := res.Return.([]string); !slices.Equal(got, []string{"m2"}) {
		t.Fatalf("manage.down = %#v", res.Return)
	}
	if _, err := os.Stat(filepath.Join(c.cfg.PKIDir, "accepted", "m2")); !os.IsNotExist(err) {
		t.Errorf("m2's accepted key is still there after removekeys (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(c.cfg.Cachedir, "minions", "m2")); !os.IsNotExist(err) {
		t.Errorf("m2's data cache is still there after removekeys (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(c.cfg.PKIDir, "accepted", "m1")); err != nil {
		t.Errorf("m1's key went with m2's: %v", err)
	}
	waitKeyEvent(t, bus, "m2")
	// the master reviews joined estates' keys each presence interval: three
	// presence events later, m2's key (down, auto_accept on) is still gone
	if res := r.Run(ctx, "state.event", []any{"salt/presence/present", "count=3", "quiet=True"}); res.Raised {
		t.Fatalf("state.event: %v", res.Return)
	}
	if _, err := os.Stat(filepath.Join(c.cfg.PKIDir, "accepted", "m2")); !os.IsNotExist(err) {
		t.Errorf("m2's key came back after removekeys (stat: %v)", err)
	}

	res = r.Run(ctx, "manage.up", []any{"tgt=nomatch*"})
	if got, _ := res.Return.([]string); res.Raised || len(got) != 0 {
		t.Fatalf("manage.up for no minion = %#v", res.Return)
	}
	if want := "No minions matched the target. No command was sent, no jid was assigned.\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// TestManagePresence: present, joined and alived come from the master's
// presence without a publish; not_present lists the accepted minion that
// is not running; show_ip maps ids to addresses; subset narrows.
func TestManagePresence(t *testing.T) {
	c := startCluster(t, "", "m1", "m2")
	c.waitPresent("m1", "m2")
	c.stopMinion("m2")
	r := runner.New(c.env(nil))
	ctx := context.Background()
	testutil.WaitFor(t, "m2 no longer present", wait, func() bool {
		got, _ := r.Run(ctx, "manage.present", nil).Return.([]string)
		return slices.Equal(got, []string{"m1"})
	})
	for fun, want := range map[string][]string{
		"manage.not_present":    {"m2"},
		"manage.list_not_state": {"m2"},
		"manage.joined":         {"m1", "m2"}, // m2's road join is still on record
		"manage.not_joined":     {},
	} {
		res := r.Run(ctx, fun, nil)
		if got, _ := res.Return.([]string); res.Raised || !slices.Equal(got, want) {
			t.Errorf("%s = %#v, want %v", fun, res.Return, want)
		}
	}
	res := r.Run(ctx, "manage.alived", []any{"show_ip=True"})
	if m, ok := res.Return.(body.Map); !ok || len(m) != 1 || m[0].Key != "m1" || m[0].Value != "127.0.0.1" {
		t.Errorf("manage.alived show_ip=True = %#v, want {m1: 127.0.0.1}", res.Return)
	}
	res = r.Run(ctx, "manage.not_present", []any{"subset=m1"})
	if got, _ := res.Return.([]string); res.Raised || len(got) != 0 {
		t.Errorf("manage.not_present subset=m1 = %#v, want []", res.Return)
	}
}

// TestManageVersions: each minion that returns is listed under "Up to
// date" with the version it answers, and the master's version last.
func TestManageVersions(t *testing.T) {
	c := startCluster(t, "", "m1", "m2")
	c.waitPresent("m1", "m2")
	r := runner.New(c.env(nil))
	res := r.Run(context.Background(), "manage.versions", nil)
	m, ok := res.Return.(body.Map)
	if res.Raised || !ok || len(m) != 2 || m[0].Key != "Up to date" || m[1].Key != "Master" {
		t.Fatalf("manage.versions = %#v", res.Return)
	}
	minions := m[0].Value.(body.Map)
	if len(minions) != 2 || minions[0].Key != "m1" || minions[1].Key != "m2" || minions[0].Value != m[1].Value {
		t.Errorf("manage.versions minions = %#v, master %v", minions, m[1].Value)
	}
}

// equalMap compares two results as JSON would print them.
func equalMap(got any, want body.Map) bool {
	m, ok := got.(body.Map)
	if !ok || len(m) != len(want) {
		return false
	}
	for i := range m {
		if m[i].Key != want[i].Key {
			return false
		}
		a, _ := m[i].Value.([]string)
		b, _ := want[i].Value.([]string)
		if !slices.Equal(a, b) {
			return false
		}
	}
	return true
}

// waitKeyEvent waits for the salt/key event of id's deletion on the bus.
func waitKeyEvent(t *testing.T, bus *client.EventStream, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		ev, err := bus.Next(ctx)
		if err != nil {
			t.Fatalf("no salt/key event for %s: %v", id, err)
		}
		if ev.Tag != "salt/key" {
			continue
		}
		data, _ := ev.Data.(body.Map)
		act, _ := data.Get("act")
		got, _ := data.Get("id")
		if act == "delete" && got == id {
			return
		}
	}
}

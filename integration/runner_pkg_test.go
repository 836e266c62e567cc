package integration

import (
	"context"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/master"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// runnerEnv is salt-run's environment on the cluster's master: its config
// and a client of its lane with the access key it wrote, printing to out.
// (Until salt-run-raet lands, the runners are driven as a package against
// the real daemons.)
func (c *cluster) runnerEnv(out io.Writer) *runner.Env {
	c.t.Helper()
	cfg, err := config.LoadMaster(c.master.conf)
	if err != nil {
		c.t.Fatal(err)
	}
	u, err := user.Current()
	if err != nil {
		c.t.Fatal(err)
	}
	e := &runner.Env{Opts: cfg, Out: out, User: "root", Connect: func() (*client.LocalClient, error) {
		kp := master.AccessKeyPath(cfg.Cachedir, u.Username)
		key, err := os.ReadFile(kp)
		if err != nil {
			return nil, err
		}
		return client.New(client.Config{SockDir: cfg.SockDir, Key: string(key), KeyFile: kp, User: "root",
			GatherJobTimeout: time.Duration(cfg.GatherJobTimeout) * time.Second})
	}}
	c.t.Cleanup(func() { e.Close() })
	return e
}

// TestRunnersAgainstDaemons: a master and three minions as processes;
// manage.status sees them up, a stopped one down, and manage.down with
// removekeys deletes its key; the cache and presence runners read what the
// master keeps; state.event prints a job's return event from the bus.
func TestRunnersAgainstDaemons(t *testing.T) {
	c := newCluster(t, true)
	for _, id := range []string{"m1", "m2", "m3"} {
		c.addMinion(id)
	}
	c.waitReady("m1", "m2", "m3")
	r := runner.New(c.runnerEnv(nil))
	ctx := context.Background()

	res := r.Run(ctx, "manage.status", nil)
	if m, ok := res.Return.(body.Map); !ok || !slices.Equal(asStrings(m, "up"), []string{"m1", "m2", "m3"}) || len(asStrings(m, "down")) != 0 {
		t.Fatalf("manage.status = %#v", res.Return)
	}
	res = r.Run(ctx, "cache.grains", []any{"m1"})
	if m, ok := res.Return.(body.Map); !ok || len(m) != 1 || m[0].Key != "m1" {
		t.Fatalf("cache.grains m1 = %#v", res.Return)
	} else if id, _ := m[0].Value.(body.Map).Get("id"); id != "m1" {
		t.Errorf("cache.grains m1 has id %v", id)
	}

	if err := c.mds["m3"].stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "m3 not present", func() (bool, string) {
		res := r.Run(ctx, "manage.not_present", nil)
		got, _ := res.Return.([]string)
		return slices.Equal(got, []string{"m3"}), strings.Join(got, ",")
	})
	res = r.Run(ctx, "manage.down", []any{"removekeys=True", "timeout=1", "gather_job_timeout=1"})
	if got, _ := res.Return.([]string); !slices.Equal(got, []string{"m3"}) {
		t.Fatalf("manage.down removekeys=True = %#v", res.Return)
	}
	keys := c.master.keys()
	var all []string
	for _, ids := range keys { // whatever the headings are named
		all = append(all, ids...)
	}
	if contains(all, "m3") || !contains(all, "m1") {
		t.Errorf("keys after manage.down removekeys=True: %v", keys)
	}
	if _, err := os.Stat(filepath.Join(c.master.root, "var", "cache", "salt", "master", "minions", "m3")); !os.IsNotExist(err) {
		t.Errorf("m3's data cache is left after removekeys (stat: %v)", err)
	}
	testStateEventOfJob(t, c)
}

// testStateEventOfJob runs state.event for the return of m1 and publishes
// test.ping to m1 until it has printed one, so that no fixed wait decides
// when the runner is listening.
func testStateEventOfJob(t *testing.T, c *cluster) {
	out := &testutil.SyncBuffer{}
	r := runner.New(c.runnerEnv(out))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan bool, 1)
	go func() {
		res := r.Run(ctx, "state.event", []any{"salt/job/*/ret/m1", "count=1"})
		done <- !res.Raised
	}()
	for {
		c.salt("m1", "test.ping")
		select {
		case ok := <-done:
			line := out.String()
			if !ok || !strings.HasPrefix(line, "salt/job/") || !strings.Contains(line, "/ret/m1\t{") ||
				!strings.Contains(line, `"return": true`) || strings.Count(line, "\n") != 1 {
				t.Errorf("state.event printed %q (ok %v)", line, ok)
			}
			return
		case <-ctx.Done():
			t.Fatalf("state.event printed nothing: %q", out.String())
		default:
		}
	}
}

func asStrings(m body.Map, key string) []string {
	v, _ := m.Get(key)
	s, _ := v.([]string)
	return s
}

package runner_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/master"
	"github.com/saltraet/saltraet/pkg/salt/minion"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// wait bounds every wait on something to happen: far above what any step
// needs on a loaded machine.
const wait = 30 * time.Second

// fastTimers make the road notice a minion going within a second or so.
var fastTimers = road.Timers{
	Period:        150 * time.Millisecond,
	Offset:        50 * time.Millisecond,
	AliverTimeout: 600 * time.Millisecond,
	AliverRedoMin: 100 * time.Millisecond,
	AliverRedoMax: 200 * time.Millisecond,
	JoinerTimeout: 2 * time.Second,
	AllowTimeout:  2 * time.Second,
}

func shortTemp(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix) // socket paths must stay short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func quietLog() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	if testing.Verbose() {
		l.SetOutput(os.Stderr)
		l.SetLevel(logrus.DebugLevel)
	}
	return l
}

// writeConf writes a config file and returns its directory.
func writeConf(t *testing.T, root, name, text string) string {
	t.Helper()
	etc := filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return etc
}

// masterConfig writes and loads a master config under a fresh root_dir.
func masterConfig(t *testing.T, extra string) *config.Master {
	t.Helper()
	root := shortTemp(t, "r")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	etc := writeConf(t, root, "master", fmt.Sprintf(
		"id: saltmaster\nroot_dir: %s\ninterface: 127.0.0.1\nuser: %s\nauto_accept: true\ntimeout: 5\ngather_job_timeout: 3\n%s",
		root, u.Username, extra))
	cfg, err := config.LoadMaster(etc)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// cluster is a real master and real minions running in this process.
type cluster struct {
	t       *testing.T
	cfg     *config.Master
	m       *master.Master
	minions map[string]context.CancelFunc
	done    map[string]chan error
}

// startCluster runs a master with extra config and the minions ids.
func startCluster(t *testing.T, extra string, ids ...string) *cluster {
	t.Helper()
	cfg := masterConfig(t, extra)
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := master.New(cfg, quietLog(), master.WithRoadConn(conn), master.WithRoadTimers(fastTimers),
		master.WithPresenceInterval(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("master did not stop")
		}
	})
	c := &cluster{t: t, cfg: cfg, m: m, minions: map[string]context.CancelFunc{}, done: map[string]chan error{}}
	for _, id := range ids {
		c.addMinion(id)
	}
	return c
}

// addMinion runs a minion id (jobs in goroutines: no job processes of the
// test binary).
func (c *cluster) addMinion(id string) {
	t := c.t
	t.Helper()
	root := shortTemp(t, "n")
	etc := writeConf(t, root, "minion", fmt.Sprintf(
		"id: %s\nroot_dir: %s\ninterface: 127.0.0.1\nmaster: 127.0.0.1 %d\nmultiprocessing: false\n",
		id, root, c.m.RoadAddr().Port()))
	cfg, err := config.LoadMinion(etc)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mn, err := minion.New(cfg, quietLog(), minion.WithRoadConn(conn), minion.WithTimers(fastTimers),
		minion.WithGrains(map[string]any{"id": id, "os": "TestOS", "role": "role-" + id}),
		minion.WithRetryInterval(300*time.Millisecond), minion.WithShutdownGrace(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mn.Run(ctx) }()
	c.minions[id], c.done[id] = cancel, done
	t.Cleanup(func() { c.stopMinion(id) })
}

// stopMinion stops a minion and waits for it.
func (c *cluster) stopMinion(id string) {
	cancel := c.minions[id]
	if cancel == nil {
		return
	}
	cancel()
	delete(c.minions, id)
	select {
	case <-c.done[id]:
	case <-time.After(wait):
		c.t.Errorf("minion %s did not stop", id)
	}
}

// env is a runner environment on the cluster's master, printing to out.
func (c *cluster) env(out io.Writer) *runner.Env {
	cfg := c.cfg
	e := &runner.Env{
		Opts: cfg,
		Out:  out,
		User: "root",
		Connect: func() (*client.LocalClient, error) {
			u, err := user.Current()
			if err != nil {
				return nil, err
			}
			keyPath := master.AccessKeyPath(cfg.Cachedir, u.Username)
			key, err := os.ReadFile(keyPath)
			if err != nil {
				return nil, err
			}
			return client.New(client.Config{SockDir: cfg.SockDir, Key: string(key), KeyFile: keyPath,
				User: "root", GatherJobTimeout: 3 * time.Second, ReplyTimeout: wait})
		},
	}
	c.t.Cleanup(func() { e.Close() })
	return e
}

// waitPresent waits until the master's presence lists exactly ids as
// available, and each has its grains cached (its pillar was compiled).
func (c *cluster) waitPresent(ids ...string) {
	c.t.Helper()
	e := c.env(io.Discard)
	r := runner.New(e)
	testutil.WaitFor(c.t, fmt.Sprintf("minions %v present", ids), wait, func() bool {
		res := r.Run(context.Background(), "manage.present", nil)
		got, _ := res.Return.([]string)
		if res.Raised || !slices.Equal(got, ids) {
			return false
		}
		for _, id := range ids {
			if _, err := os.Stat(filepath.Join(c.cfg.Cachedir, "minions", id, "data.p")); err != nil {
				return false
			}
		}
		return true
	})
}

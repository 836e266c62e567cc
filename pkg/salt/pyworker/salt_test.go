package pyworker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// TestRealSalt runs the Python worker against Python Salt, by hand: CI has
// none. Set SALTRAET_TEST_SALT_PYTHON to an interpreter that can import
// salt (with PYTHONPATH set as it needs), e.g.
//
//	PYTHONPATH=/tmp/salt-reference/src:/tmp/salt-reference/shims \
//	SALTRAET_TEST_SALT_PYTHON=/usr/bin/python3 go test -run RealSalt -v ./pkg/salt/pyworker
func TestRealSalt(t *testing.T) {
	py := os.Getenv("SALTRAET_TEST_SALT_PYTHON")
	if py == "" {
		t.Skip("SALTRAET_TEST_SALT_PYTHON is not set: no Python Salt to run")
	}
	root := t.TempDir()
	conf := filepath.Join(root, "minion")
	cachedir := filepath.Join(root, "cache")
	ext := filepath.Join(cachedir, "extmods")
	if err := os.WriteFile(conf, []byte("id: web1\nfile_client: local\ncachedir: "+cachedir+"\npki_dir: "+root+"/pki\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(ext, "modules"), 0o700)
	os.WriteFile(filepath.Join(ext, "modules", "hello.py"), []byte(helloModule), 0o600)
	log := logrus.New()
	log.SetLevel(logrus.DebugLevel)
	w := New(Config{Python: py, ID: "web1", ConfFile: conf, ExtensionModules: ext, Log: log,
		Opts:   body.Map{{Key: "cachedir", Value: cachedir}},
		Grains: func() map[string]any { return map[string]any{"id": "web1", "os": "Debian", "kernel": "Linux"} },
		Pillar: func() map[string]any {
			return map[string]any{"role": "web", "ports": map[any]any{int64(80): "http"}}
		}})
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(fun string, args ...any) modules.Result {
		start := time.Now()
		res, ok := w.Call(ctx, fun, args, modules.Pub{Fun: fun, Arg: args, Jid: "20261207070000000000", Tgt: "web1", TgtType: "glob"})
		t.Logf("%s %v (%v): ok %v %#v", fun, args, time.Since(start), ok, res)
		return res
	}
	if res := run("hello.world", "Go"); res.Return != "Hello, Go from web1 (role web)" {
		t.Errorf("hello.world = %#v", res)
	}
	if res := run("hello.fail"); !strings.HasPrefix(res.Return.(string), "ERROR: no") || res.Retcode != 1 {
		t.Errorf("hello.fail = %#v", res)
	}
	if res := run("hello.world", "a", "b"); !strings.HasPrefix(res.Return.(string), "Passed invalid arguments to hello.world: world() takes") {
		t.Errorf("hello.world with two args = %#v", res)
	}
	if res := run("hello.world", "x=1"); res.Return != "ERROR executing 'hello.world': The following keyword arguments are not valid: x=1" {
		t.Errorf("hello.world x=1 = %#v", res)
	}
	if res := run("pillar.get", "ports"); !reflect.DeepEqual(res.Return, map[any]any{int64(80): "http"}) {
		t.Errorf("pillar.get ports = %#v", res)
	}
	run("network.ip_addrs")
	run("network.ipaddrs")
	run("test.ping")
	e := modules.New(modules.Options{})
	t.Logf("test.ping, median of 20: built-in %v, Python worker %v",
		median(20, func() { e.Run(ctx, "test.ping", nil, modules.Pub{}) }),
		median(20, func() { w.Call(ctx, "test.ping", nil, modules.Pub{}) }))

	// A call whose job is killed has its process group killed: Salt's
	// cmd.run child with it.
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	if res, _ := w.Call(short, "cmd.run", []any{"sleep 61.5"}, modules.Pub{}); !strings.Contains(fmt.Sprint(res.Return), "was cancelled") {
		t.Errorf("cmd.run cut short = %#v", res)
	}
	testutil.WaitFor(t, "sleep 61.5 to be killed", time.Minute, func() bool {
		return exec.Command("pgrep", "-f", "sleep 61.5").Run() != nil
	})
	if l := w.Functions(ctx); len(l) < 100 {
		t.Errorf("%d functions", len(l))
	}
}

// median runs f n times and returns the median wall time.
func median(n int, f func()) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		f()
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return ds[n/2]
}

const helloModule = `
from salt.exceptions import CommandExecutionError

def world(name):
    return "Hello, {} from {} (role {})".format(name, __grains__["id"], __pillar__["role"])

def fail():
    raise CommandExecutionError("no")
`

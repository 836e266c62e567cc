// Package integration builds the real binaries and runs a master and
// minions as processes on loopback, driving them with salt-key-raet and
// salt-raet as an operator would.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is where TestMain built the commands.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "saltraet-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	build := exec.Command("go", "build", "-o", bin+"/", "./cmd/...")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the commands:", err)
		os.RemoveAll(bin)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(bin)
	os.Exit(code)
}

// install is one Salt installation under its own root_dir: its config
// dir is <root>/etc/salt. Roots are short, for the socket paths.
type install struct {
	t    *testing.T
	root string
	conf string
}

func newInstall(t *testing.T) *install {
	t.Helper()
	root, err := os.MkdirTemp("", "it")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	conf := filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	return &install{t: t, root: root, conf: conf}
}

func (in *install) write(name, text string) {
	in.t.Helper()
	if err := os.WriteFile(filepath.Join(in.conf, name), []byte(text), 0o600); err != nil {
		in.t.Fatal(err)
	}
}

// daemon is a running salt-master-raet or salt-minion-raet.
type daemon struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  string
	done chan error
}

func (in *install) start(prog string) *daemon {
	in.t.Helper()
	logf := filepath.Join(in.root, prog+".log")
	f, err := os.OpenFile(logf, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		in.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, prog), "-c", in.conf, "-l", "debug")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	d := &daemon{t: in.t, name: prog, cmd: cmd, log: logf, done: make(chan error, 1)}
	go func() { d.done <- cmd.Wait(); f.Close() }()
	in.t.Cleanup(func() { d.stop() })
	return d
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop() error {
	if d.cmd.ProcessState != nil {
		return nil
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
		return err
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		return fmt.Errorf("%s did not stop within 30 s of SIGTERM", d.name)
	}
}

// kill ends it at once, as a crash would.
func (d *daemon) kill() {
	d.cmd.Process.Kill()
	err := <-d.done
	d.done <- err
}

func (d *daemon) logText() string {
	b, _ := os.ReadFile(d.log)
	return string(b)
}

// result is what a command printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// run runs one of the commands against an install and waits for it.
func (in *install) run(prog string, args ...string) result {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, prog), append([]string{"-c", in.conf}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		in.t.Fatalf("%s %v: %v", prog, args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// eventually retries cond until it holds, for up to 60 s.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	eventuallyWithin(t, 60*time.Second, 100*time.Millisecond, what, cond)
}

// eventuallyWithin retries cond every poll until it holds, for up to limit.
func eventuallyWithin(t *testing.T, limit, poll time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(poll)
	}
	t.Fatalf("%s: not within %v (last: %s)", what, limit, last)
}

// keys lists the master's keys by status.
func (in *install) keys() map[string][]string {
	in.t.Helper()
	r := in.run("salt-key-raet", "-L", "--out", "json")
	var m map[string][]string
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		in.t.Fatalf("salt-key-raet -L --out json: %q %q: %v", r.stdout, r.stderr, err)
	}
	// salt-key prints Salt 3006's names; the tests use the directories'.
	return map[string][]string{"accepted": m["minions"], "pending": m["minions_pre"], "rejected": m["minions_rejected"]}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cluster is a master and its minions on loopback.
type cluster struct {
	t       *testing.T
	master  *install
	port    int
	md      *daemon
	minions map[string]*install
	mds     map[string]*daemon
}

// newCluster writes a master config (auto_accept as given, then the extra
// lines of YAML) and starts it.
func newCluster(t *testing.T, autoAccept bool, extra ...string) *cluster {
	t.Helper()
	m := newInstall(t)
	c := &cluster{t: t, master: m, port: testutil.FreeUDPPort(t), minions: map[string]*install{}, mds: map[string]*daemon{}}
	m.write("master", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: saltmaster\ninterface: 127.0.0.1\nraet_port: %d\nauto_accept: %v\ntimeout: 3\ngather_job_timeout: 3\n",
		m.root, c.port, autoAccept)+strings.Join(extra, ""))
	c.md = m.start("salt-master-raet")
	eventually(t, "the master's manor socket", func() (bool, string) {
		_, err := os.Stat(filepath.Join(c.sockDir(), "master.manor.uxd"))
		return err == nil, fmt.Sprint(err)
	})
	return c
}

// addMinion writes a minion config pointing at the master (then the extra
// lines of YAML) and starts it.
func (c *cluster) addMinion(id string, extra ...string) *daemon {
	c.t.Helper()
	in := newInstall(c.t)
	in.write("minion", fmt.Sprintf("transport: raet\nroot_dir: %s\nid: %s\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n",
		in.root, id, testutil.FreeUDPPort(c.t), c.port)+strings.Join(extra, ""))
	c.minions[id] = in
	d := in.start("salt-minion-raet")
	c.mds[id] = d
	return d
}

// salt runs salt-raet on the master's host.
func (c *cluster) salt(args ...string) result {
	c.t.Helper()
	return c.master.run("salt-raet", args...)
}

// waitAccepted waits until the master lists the ids as accepted and
// every one answers test.ping.
func (c *cluster) waitReady(ids ...string) {
	c.t.Helper()
	eventually(c.t, "minions answer test.ping", func() (bool, string) {
		r := c.salt("-L", strings.Join(ids, ","), "test.ping", "--out", "json", "--static", "-t", "5")
		var got map[string]any
		if json.Unmarshal([]byte(r.stdout), &got) != nil {
			return false, r.stdout + r.stderr
		}
		for _, id := range ids {
			if got[id] != true {
				return false, r.stdout + r.stderr
			}
		}
		return true, ""
	})
}

// sockDir is the master's sock_dir, where its lane's yards are.
func (c *cluster) sockDir() string {
	return filepath.Join(c.master.root, "var", "run", "salt", "master")
}

// yard opens a yard named prefix<session id> on the master's lane, as the
// salt command does, running until the test ends.
func (c *cluster) yard(prefix string) *lane.Stack {
	c.t.Helper()
	y, err := lane.NewStack(lane.Config{Name: prefix + lane.NewSessionID(), Lane: "master", Dir: c.sockDir(), PackKind: raet.PackMsgpack})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go y.Run(ctx)
	c.t.Cleanup(func() { cancel(); <-y.Stopped() })
	return y
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/master"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// eventWait bounds every wait for an event; nothing sleeps a fixed time.
const eventWait = 10 * time.Second

// stampRE is datetime.utcnow().isoformat().
var stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$`)

// shortRoot is a root_dir short enough for the Unix socket paths under
// its sock_dir.
func shortRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ke")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startMaster runs a master in this process on the env's config, with its
// road on a free loopback port, until the test ends.
func startMaster(t *testing.T, e *env) {
	t.Helper()
	cfg, err := config.LoadMaster(e.conf)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := master.New(cfg, nil, master.WithRoadConn(conn))
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
		case <-time.After(eventWait):
			t.Error("the master did not stop")
		}
	})
}

// listen subscribes a yard of the test to the master's events and waits
// until the subscription holds: an event the yard fires itself comes back.
func listen(t *testing.T, sockDir string) <-chan lane.Received {
	t.Helper()
	s, err := lane.NewStack(lane.Config{Name: "listener", Lane: "master", Dir: sockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	t.Cleanup(func() { cancel(); <-s.Stopped() })
	if err := s.Transmit(protocol.EventSubscription("listener"), protocol.YardManor).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Transmit(protocol.FireEvent("listener", "test/probe", body.Map{}), protocol.YardManor).Err(); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case r := <-s.Receive():
			if tag, _ := protocol.EventTag(r.Body); tag == "test/probe" {
				return s.Receive()
			}
		case <-time.After(eventWait):
			t.Fatal("the master never echoed the probe event")
		}
	}
}

// TestKeyEvents: accept, reject and delete each fire salt/key on a running
// master's event bus, with Salt 3006's data ({result: true, act, id,
// _stamp}, in that order), once per key changed.
func TestKeyEvents(t *testing.T) {
	e := standardAt(t, shortRoot(t))
	sockDir := filepath.Join(e.root, "var", "run", "salt", "master")
	startMaster(t, e)
	events := listen(t, sockDir)
	for _, args := range [][]string{{"-a", "web2", "-y"}, {"-r", "db1", "-y"}, {"-d", "old1,web1", "-y"}} {
		if code, _, errOut := e.run(t, "", args...); code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	var got []string
	for len(got) < 4 {
		select {
		case r := <-events:
			tag, _ := protocol.EventTag(r.Body)
			if tag != protocol.TagKey {
				continue
			}
			data := protocol.EventDataMap(r.Body)
			var keys []string
			for _, it := range data {
				keys = append(keys, it.Key)
			}
			if strings.Join(keys, ",") != "result,act,id,_stamp" {
				t.Errorf("data keys %v, want result,act,id,_stamp", keys)
			}
			if res, ok := data.Get("result"); res != true || !ok {
				t.Errorf("result %v", res)
			}
			if st, _ := data.String("_stamp"); !stampRE.MatchString(st) {
				t.Errorf("_stamp %q", st)
			}
			act, _ := data.String("act")
			id, _ := data.String("id")
			got = append(got, act+" "+id)
		case <-time.After(eventWait):
			t.Fatalf("salt/key events so far %v, want 4", got)
		}
	}
	if want := "accept web2,reject db1,delete web1,delete old1"; strings.Join(got, ",") != want {
		t.Errorf("events %v, want %s", got, want)
	}
	if state := e.states(t, "web1", "web2", "db1", "old1"); state != "web1=none web2=accepted db1=rejected old1=none" {
		t.Errorf("afterwards %s", state)
	}
	// salt-key's yard is gone: only the master's and the listener's remain.
	entries, _ := os.ReadDir(sockDir)
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), "master.salt_key") {
			t.Errorf("salt-key left its socket %s", en.Name())
		}
	}
}

// TestKeyEventsWithoutMaster: with no master (no manor socket, or a stale
// one nobody reads) nothing is fired and salt-key works as ever, quietly.
func TestKeyEventsWithoutMaster(t *testing.T) {
	e := standardAt(t, shortRoot(t))
	sockDir := filepath.Join(e.root, "var", "run", "salt", "master")
	if code, out, errOut := e.run(t, "", "-a", "web2", "-y"); code != 0 || errOut != "" || out != "The following keys are going to be accepted:\nUnaccepted Keys:\nweb2\nKey for minion web2 accepted.\n" {
		t.Errorf("no master: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A master that crashed leaves its socket file behind.
	if err := os.MkdirAll(sockDir, 0o750); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: lane.HA(sockDir, "master", protocol.YardManor)}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd)
	if code, out, errOut := e.run(t, "", "-r", "db1", "-y", "--log-level", "debug"); code != 0 || !strings.HasSuffix(out, "Key for minion db1 rejected.\n") || !strings.Contains(errOut, "No master reads") {
		t.Errorf("stale manor: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if state := e.states(t, "web2", "db1"); state != "web2=accepted db1=rejected" {
		t.Errorf("afterwards %s", state)
	}
	entries, _ := filepath.Glob(filepath.Join(sockDir, "master.salt_key*"))
	if len(entries) != 0 {
		t.Errorf("salt-key left its sockets %v", entries)
	}
}

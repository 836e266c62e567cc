package emulator

import (
	"os"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/grains"
)

// Each emulated minion has its own id and server_id grains, as separate
// minions would (a master targeting by server_id must tell them apart),
// while the rest of the grains are the shared ones.
func TestMinionsHaveTheirOwnIDGrains(t *testing.T) {
	root, err := os.MkdirTemp("", "em") // short: the socket paths' limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	e, err := New(Config{Count: 2, Master: "127.0.0.1", MasterPort: 9, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ms := e.Minions()
	seen := map[any]bool{}
	for _, m := range ms {
		g := m.Grains()
		if g["id"] != m.ID() {
			t.Errorf("minion %s: id grain %v", m.ID(), g["id"])
		}
		if g["server_id"] != grains.ServerID(m.ID()) {
			t.Errorf("minion %s: server_id %v, want %d", m.ID(), g["server_id"], grains.ServerID(m.ID()))
		}
		seen[g["server_id"]] = true
	}
	if len(seen) != 2 {
		t.Errorf("two minions share a server_id: %v", seen)
	}
	if ms[0].Grains()["os"] != ms[1].Grains()["os"] {
		t.Errorf("the shared grains differ: %v, %v", ms[0].Grains()["os"], ms[1].Grains()["os"])
	}
}

// An emulated minion holds one descriptor, its UDP socket: 10,000 must
// fit in the usual hard limit of open files (the group commit is one for
// all, not a cachedir held open by each).
func TestOneDescriptorPerMinion(t *testing.T) {
	root, err := os.MkdirTemp("", "em")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	before := openFiles(t)
	const n = 20
	e, err := New(Config{Count: n, Master: "127.0.0.1", MasterPort: 9, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	held := openFiles(t) - before
	e.Close()
	if held > n+2 {
		t.Errorf("%d minions hold %d descriptors, want at most %d", n, held, n+2)
	}
	if after := openFiles(t) - before; after > 0 {
		t.Errorf("%d descriptors left open after Close", after)
	}
}

func openFiles(t *testing.T) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(fds)
}

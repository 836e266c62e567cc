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

package integration

import (
	"fmt"
	"strings"
	"testing"
)

// While a minion is still joining (its key pending), --progress says how
// many minions are joined and how many still joining before its bar, and
// the master's log says so at its presence interval; with none joining
// --progress prints no such line, as Salt.
func TestProgressSaysJoining(t *testing.T) {
	c := newCluster(t, false)
	c.addMinion("early", "acceptance_wait_time: 1\n")
	c.addMinion("late", "acceptance_wait_time: 1\n")
	eventually(t, "both keys pending", func() (bool, string) {
		k := c.master.keys()
		return contains(k["pending"], "early") && contains(k["pending"], "late"), fmt.Sprint(k)
	})
	if r := c.master.run("salt-key-raet", "-y", "-a", "early"); r.code != 0 {
		t.Fatalf("salt-key -a early: %+v", r)
	}
	c.waitReady("early")
	r := c.salt("*", "test.ping", "--progress")
	if !strings.Contains(r.stderr, "Minions joined: 1, still joining: 1\n") {
		t.Errorf("--progress with late still joining: stderr %q", r.stderr)
	}
	eventually(t, "the master's log", func() (bool, string) {
		return strings.Contains(c.md.logText(), "Road: 1 minion estates joined and allowed, 1 still joining"), ""
	})

	if r := c.master.run("salt-key-raet", "-y", "-a", "late"); r.code != 0 {
		t.Fatalf("salt-key -a late: %+v", r)
	}
	c.waitReady("early", "late")
	r = c.salt("*", "test.ping", "--progress")
	if strings.Contains(r.stderr, "joining") || !strings.Contains(r.stdout, "# of minions returned: 2\n") {
		t.Errorf("--progress with all joined: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

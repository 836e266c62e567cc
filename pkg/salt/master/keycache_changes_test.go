package master

import (
	"os"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The accepted key remembered between messages never hides a change:
// a key file rewritten with garbage, a key rejected, then accepted again,
// each is seen at the very next look.
func TestAcceptedKeyChangesSeenAtOnce(t *testing.T) {
	tm := newMaster(t, "").start()
	newMinion(t, tm, "web1").connect(tm)
	path := tm.m.store.Path(raet.Accepted, "web1")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second look is the remembered one
		if why := tm.m.unaccepted("web1"); why != "" {
			t.Fatalf("look %d: web1 unaccepted: %s", i, why)
		}
	}
	if err := os.WriteFile(path, []byte("\x00\xffgarbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if why := tm.m.unaccepted("web1"); why == "" {
		t.Fatal("a garbage key file in minions/ still counts as accepted")
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if why := tm.m.unaccepted("web1"); why != "" {
		t.Fatalf("the good key written back: %s", why)
	}
	if err := tm.m.store.Move("web1", raet.Accepted, raet.Rejected); err != nil {
		t.Fatal(err)
	}
	if why := tm.m.unaccepted("web1"); why == "" {
		t.Fatal("a rejected key still counts as accepted")
	}
	if err := tm.m.store.Move("web1", raet.Rejected, raet.Accepted); err != nil {
		t.Fatal(err)
	}
	if why := tm.m.unaccepted("web1"); why != "" {
		t.Fatalf("accepted again: %s", why)
	}
}

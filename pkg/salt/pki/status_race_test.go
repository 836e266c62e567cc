package pki

import (
	"errors"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// TestUndoIfElsewhere: a new key file written while another process put
// the id in another directory is removed again, and the decision is to be
// taken anew; a key file that is the id's only one stays.
func TestUndoIfElsewhere(t *testing.T) {
	s := openStore(t, Options{})
	putKey(t, s, raet.Pending, "web1", keysA)
	if err := s.undoIfElsewhere("web1", raet.Pending); err != nil {
		t.Fatalf("only key file: %v", err)
	}
	if ok, err := isKeyFile(s.Path(raet.Pending, "web1")); !ok || err != nil {
		t.Fatalf("the only key file was removed: %v %v", ok, err)
	}

	putKey(t, s, raet.Accepted, "web1", keysA)
	if err := s.undoIfElsewhere("web1", raet.Pending); !errors.Is(err, errRace) {
		t.Fatalf("key file in two places: %v, want errRace", err)
	}
	if ok, _ := isKeyFile(s.Path(raet.Pending, "web1")); ok {
		t.Error("the new pending key file was left beside the accepted one")
	}
	if ok, _ := isKeyFile(s.Path(raet.Accepted, "web1")); !ok {
		t.Error("the other process's accepted key file was removed")
	}
}

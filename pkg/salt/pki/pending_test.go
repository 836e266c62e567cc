package pki

import (
	"errors"
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Once max_pending_keys keys are pending, a new id is refused as rejected,
// nothing is written for it, and the warning names the option; ids already
// pending or accepted are decided as before, and auto_accept is not bound.
func TestMaxPendingKeys(t *testing.T) {
	s := openStore(t, Options{MaxPendingKeys: 3})
	putKey(t, s, raet.Accepted, "old", keysA)
	for i := range 10 {
		id := fmt.Sprintf("spoof%d", i)
		d, err := s.Decide(id, keysA.pub, keysA.ver)
		if err != nil {
			t.Fatal(err)
		}
		want := raet.Pending
		if i >= 3 {
			want = raet.Rejected
		}
		if d.Status != want {
			t.Fatalf("%s: %s (%s), want %s", id, d.Status, d.Reason, want)
		}
		if i >= 3 && (d.Reason != ReasonPendingFull || len(d.Warnings) != 1 || !errors.Is(d.Warnings[0], ErrPendingFull)) {
			t.Fatalf("%s: reason %q, warnings %v", id, d.Reason, d.Warnings)
		}
	}
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(l[raet.Pending]) != 3 || len(l[raet.Rejected]) != 0 {
		t.Fatalf("keys %v", l)
	}
	if d, _ := s.Decide("spoof1", keysA.pub, keysA.ver); d.Status != raet.Pending {
		t.Errorf("an id already pending: %s", d.Status)
	}
	if d, _ := s.Decide("old", keysA.pub, keysA.ver); d.Status != raet.Accepted {
		t.Errorf("an accepted id: %s", d.Status)
	}
	if err := s.Delete("spoof0"); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Decide("late", keysA.pub, keysA.ver); d.Status != raet.Pending {
		t.Errorf("a new id once a pending key is gone: %s", d.Status)
	}
	open := openStore(t, Options{MaxPendingKeys: 1, AutoAccept: true})
	for i := range 3 {
		if d, _ := open.Decide(fmt.Sprintf("m%d", i), keysA.pub, keysA.ver); d.Status != raet.Accepted {
			t.Errorf("auto_accept: %s", d.Status)
		}
	}
}

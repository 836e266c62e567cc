package minion

import (
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// A return whose delivery fails after its master was allowed again (the
// delivery was made in the session that ended) is sent again at once, not
// at the next retry: the allow's flush found it on its way.
func TestSpoolSendsAgainAfterAllowDuringDelivery(t *testing.T) {
	dir := t.TempDir()
	stopped := stoppedRoad(t)
	var mu sync.Mutex
	sends := 0
	var s *spool
	s, err := openSpool(dir, quietLog(), func(master string, msg body.Map) (*road.Delivery, error) {
		mu.Lock()
		sends++
		first := sends == 1
		mu.Unlock()
		if first {
			s.flush(master) // the master is allowed again while this delivery is on its way
		}
		return stopped.Transmit(msg, 2, 0), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	jid := "20260101000000000001"
	rc := int64(0)
	load := job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: &rc, JID: jid, Fun: "test.ping", ID: "m1"})
	s.submit(jid, "a_master", ReturnMessage("m1_minion", "a_master", load))
	if !s.idle(deadline) {
		t.Fatal("delivery still under way")
	}
	mu.Lock()
	defer mu.Unlock()
	if sends != 2 {
		t.Errorf("sent %d times, want 2: once, and again after the allow", sends)
	}
	if _, ok := spooledOnDisk(t, dir)[jid]; !ok {
		t.Errorf("undelivered return not kept")
	}
}

// A return kept in an empty spool wakes the minion's loop once, so that it
// arms the retry it does not keep armed for an empty spool (an idle minion
// does not wake every retry interval for nothing); more returns while one
// is kept need no wake.
func TestSpoolSaysWhenAReturnIsKept(t *testing.T) {
	s, err := openSpool(t.TempDir(), quietLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.empty() {
		t.Fatal("a new spool is not empty")
	}
	rc := int64(0)
	msg := ReturnMessage("m1_minion", "a_master", job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: &rc, JID: "x", Fun: "test.ping", ID: "m1"}))
	for _, jid := range []string{"20260101000000000001", "20260101000000000002"} {
		if err := s.put(jid, "a_master", msg); err != nil {
			t.Fatal(err)
		}
	}
	if s.empty() {
		t.Error("a spool with returns says it is empty")
	}
	select {
	case <-s.kept:
	default:
		t.Fatal("no wake for the first return kept")
	}
	select {
	case <-s.kept:
		t.Error("a second wake for a spool that was not empty")
	default:
	}
}

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

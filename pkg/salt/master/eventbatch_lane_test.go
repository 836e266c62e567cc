package master

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// On real Unix sockets: events fired while the subscribed yard does not
// read (its socket full, then the lane's writer waiting) are gathered,
// and once it reads it gets every one, in order, in far fewer messages
// than events (the master's eventer with the lane's Backlogged, Drained
// and Unread, as openLane wires them).
func TestEventerBatchesOnALane(t *testing.T) {
	dir, err := os.MkdirTemp("", "evb")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	manor, err := lane.NewStack(lane.Config{Name: "manor", Dir: dir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	go manor.Run(ctx)
	evt, err := lane.NewStack(lane.Config{Name: "evt", Dir: dir}) // bound, not read yet
	if err != nil {
		t.Fatal(err)
	}
	send := func(m body.Map) error { manor.Transmit(m, "evt"); return nil }
	e := &eventer{estate: "master", yard: "manor", send: send,
		backlogged: manor.Backlogged, drained: manor.Drained, unread: manor.Unread}
	e.subscribe("evt", true)
	const n = 5000
	for i := range n {
		e.fire("salt/job/1/ret/m", body.Map{{Key: "seq", Value: int64(i)}})
	}
	go evt.Run(ctx)
	deadline := time.After(60 * time.Second)
	next, messages := int64(0), 0
	for next < n {
		var r lane.Received
		select {
		case r = <-evt.Receive():
		case <-deadline:
			t.Fatalf("%d of %d events in %d messages within 60 s", next, n, messages)
		}
		messages++
		events, ok := protocol.BatchedEvents(r.Body)
		if !ok {
			events = []body.Map{r.Body}
		}
		for _, ev := range events {
			seq, _ := protocol.EventDataMap(ev).Int("seq")
			if seq != next {
				t.Fatalf("event %d came as %d", next, seq)
			}
			next++
		}
	}
	if messages > n/10 {
		t.Errorf("%d events in %d messages: not gathered while the yard did not read", n, messages)
	}
	t.Logf("%d events in %d messages", n, messages)
}

package road_test

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// A batch read on Linux gives each datagram the kernel's time of receipt
// (a main drops hellos that waited in its socket too long): it lies
// between the send and the read, not at zero and not at the read's time
// for a datagram queued before it. The window is the wall clock's, with a
// second's slack for its steps.
func TestUDPConnBatchReceiveTime(t *testing.T) {
	a, b := loopbackConns(t)
	bc := b.(road.BatchConn)
	before := time.Now()
	for _, m := range []string{"one", "two"} {
		if err := a.WriteTo([]byte(m), b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	ms := make([]road.Msg, 4)
	for i := range ms {
		ms[i].B = make([]byte, 64)
	}
	got := 0
	for got < 2 {
		n, err := bc.ReadBatch(ms)
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		for _, m := range ms[:n] {
			if m.At.IsZero() || m.At.Before(before.Add(-time.Second)) || m.At.After(after.Add(time.Second)) {
				t.Fatalf("datagram %q received at %v, sent after %v and read by %v", m.B[:m.N], m.At, before, after)
			}
		}
		got += n
	}
}

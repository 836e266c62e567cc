package lane

import (
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// benchLane sends b.N messages of one body from one yard to another on
// one lane and waits until the last has been received.
func benchLane(b *testing.B, pk raet.PackKind, m body.Map) {
	dir := sockDir(b)
	a := running(b, Config{Name: "alpha", Dir: dir, PackKind: pk})
	r := running(b, Config{Name: "beta", Dir: dir})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < b.N; i++ {
			select {
			case <-r.Receive():
			case <-time.After(30 * time.Second):
				b.Errorf("received %d of %d", i, b.N)
				return
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	var last *Delivery
	for i := 0; i < b.N; i++ {
		last = a.Transmit(m, "beta")
	}
	if err := last.Err(); err != nil {
		b.Fatal(err)
	}
	<-done
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	if size := len(mustString(m, "pad")); size > 0 {
		b.ReportMetric(float64(b.N*size)/el.Seconds()/1e6, "MB/s")
	}
}

// A Salt-sized small message (a route and a short load).
func BenchmarkLaneSmall(b *testing.B) {
	m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: []any{"master", "client", nil}}, {Key: "dst", Value: []any{nil, "manor", "local_cmd"}}}},
		{Key: "load", Value: body.Map{{Key: "fun", Value: "test.ping"}, {Key: "tgt", Value: "*"}}}}
	benchLane(b, raet.PackMsgpack, m)
}

// A 1 MB body: a book of 17 pages.
func BenchmarkLaneMegabyte(b *testing.B) {
	benchLane(b, raet.PackMsgpack, body.Map{{Key: "pad", Value: strings.Repeat("p", 1<<20)}})
}

package road

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// BenchmarkUDPOneMegabyte sends one 1 MB message over loopback UDP and
// waits for its done: with segments as large as loopback carries (both
// stacks announce them) and with the reference's 1 KB. segments-sent/op
// counts every send of a segment, first or again.
func BenchmarkUDPOneMegabyte(b *testing.B) {
	for _, c := range []struct {
		name string
		max  int
	}{{"path", 0}, {"reference-1KB", -1}} {
		b.Run(c.name, func(b *testing.B) {
			p := newUDPPair(b, udpOptions{max: c.max})
			p.drain()
			defer p.cancel()
			m := body.Map{{Key: "pad", Value: strings.Repeat("x", 1<<20)}}
			b.SetBytes(1 << 20)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := p.beta.Transmit(m, p.uid, 0).Err(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(p.beta.Stats()["message_segment_tx"])/float64(b.N), "segments-sent/op")
		})
	}
}

// BenchmarkSegmentsThroughLoss sends a 10 MB message through a simulated
// link losing 1% of datagrams both ways and reports the segments sent per
// segment of the tray: 1.0 is nothing sent twice, 1.01 the least that 1%
// loss asks. The time it reports is the simulation's CPU, not a network's.
func BenchmarkSegmentsThroughLoss(b *testing.B) {
	m := padded(rand.New(rand.NewSource(16)), 1, 10<<20)
	for _, c := range []struct {
		name string
		max  int
	}{{"reference-1KB", -1}, {"jumbo", 0}} {
		b.Run(c.name, func(b *testing.B) {
			var sent, tray int
			for i := 0; i < b.N; i++ {
				s := newSim(b, int64(i+1))
				alpha, beta, r := pairSized(b, s, c.max, c.max, 0)
				s.net.SetFaults(netsim.Faults{Loss: 0.01, Delay: time.Millisecond, Jitter: 200 * time.Microsecond})
				o := beta.send(alpha, m, 0)
				tray += trayOf(b, r)
				s.runUntil(10*time.Minute, "delivered", func() bool { return o.reported && len(alpha.received) == 1 })
				if o.err != nil {
					b.Fatal(o.err)
				}
				sent += int(beta.stats["message_segment_tx"])
			}
			b.ReportMetric(float64(sent)/float64(tray), "sent/needed")
		})
	}
}

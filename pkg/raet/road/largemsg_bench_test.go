package road

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
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
			segs := float64(p.beta.Stats()["message_segment_tx"]) / float64(b.N)
			b.ReportMetric(segs, "segments-sent/op")
			b.ReportMetric(float64(megabyteFloor(b, int(segs)).Microseconds())/1000, "floor-ms")
		})
	}
}

// megabyteFloor is the crypto one 1 MB message needs, measured now: the
// box sealed and opened once, and each of its segments signed and
// verified (the best of five rounds).
func megabyteFloor(b *testing.B, segments int) time.Duration {
	b.Helper()
	a, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x55}, 32))
	c, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x66}, 32))
	seal, _ := raet.NewBox(a, c.Publican())
	open, _ := raet.NewBox(c, a.Publican())
	s, _ := raet.NewSigner(make([]byte, 32))
	v, _ := raet.NewVerifier(s.VerKey())
	msg := make([]byte, 1<<20)
	seg := msg[:(1<<20)/max(segments, 1)]
	best := time.Hour
	for round := 0; round < 5; round++ {
		t0 := time.Now()
		coat, err := seal.Seal(nil, msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := open.Open(nil, coat); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < segments; i++ {
			v.Verify(seg, s.Sign(seg))
		}
		best = min(best, time.Since(t0))
	}
	return best
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

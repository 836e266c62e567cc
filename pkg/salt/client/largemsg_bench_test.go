package client_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// Large messages end to end (issue 16, goal: a 1 MB test.echo ≤ 40 ms on
// loopback): the salt command's library publishes test.echo of a 1 MB
// string to one real minion through a real master, and waits for the
// 1 MB return: the load goes client → master over the lane, master →
// minion over the road, and back the same way, written to the job cache
// on the way. A benchmark, never an assertion of time.

// largeText is n bytes of printable text that no two runs share a
// prefix of, so nothing could be cached by content.
func largeText(n int) string {
	var sb strings.Builder
	sb.Grow(n + 64)
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "%08x line of a large test.echo;", i)
	}
	return sb.String()[:n]
}

// echo is one job: publish test.echo of text to m1, wait for its return
// and check it came back whole.
func (p *jobPath) echo(text string) error {
	return p.one("test.echo", text, text, 30*time.Second, func(r client.Return) error {
		// The event has the arguments as Salt's has them, though our
		// minion left them out of the return (the master keeps them).
		args, _ := r.Data.Get("fun_args")
		if l, _ := args.([]any); len(l) != 1 || l[0] != text {
			return fmt.Errorf("the return event's fun_args are not the %d bytes sent", len(text))
		}
		return nil
	})
}

// one publishes fun(arg) to m1 and waits for its one return, which must
// be want and pass check (nil: no more to check).
func (p *jobPath) one(fun, arg, want string, timeout time.Duration, check func(client.Return) error) error {
	ctx := context.Background()
	jid, minions, err := p.cli.Publish(ctx, "m1", "glob", fun, []any{arg}, job.CLIKwargs(true, false, ":", true))
	if err != nil {
		return err
	}
	if !slices.Equal(minions, []string{"m1"}) {
		return fmt.Errorf("job %s went to %v", jid, minions)
	}
	n := 0
	for r := range p.cli.Returns(ctx, jid, minions, timeout) {
		got, _ := r.Ret.(string)
		if r.Missing != "" || got != want {
			return fmt.Errorf("job %s: %s returned %d bytes, want %d (%s)", jid, r.ID, len(got), len(want), r.Missing)
		}
		if check != nil {
			if err := check(r); err != nil {
				return fmt.Errorf("job %s: %v", jid, err)
			}
		}
		n++
	}
	if n != 1 {
		return fmt.Errorf("job %s: %d returns", jid, n)
	}
	return nil
}

// BenchmarkLargeEcho is a 1 MB test.echo through the daemons, one job at
// a time, its job run in the minion (multiprocessing: False) and in a
// process of its own (Salt's default). floor-ms is the crypto of the same
// work measured in the same run: the 1 MB publish and the 1 MB return
// each boxed and opened once, and each of their path-sized segments
// signed and verified.
func BenchmarkLargeEcho(b *testing.B) {
	const size = 1 << 20
	text := largeText(size)
	for _, c := range []struct{ name, minion string }{
		{"in_minion", "multiprocessing: false\n"},
		{"job_process", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := startJobPathWith(b, "", c.minion)
			lat := make([]time.Duration, 0, b.N)
			segs := p.mn.RoadStats()
			cpu := cpuTime()
			b.SetBytes(size)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := p.echo(text); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			reportCPU(b, cpu)
			reportLatency(b, lat)
			after := p.mn.RoadStats()
			for _, k := range []string{"message_segment_tx", "message_segment_rx"} {
				if testing.Verbose() {
					for k, v := range after {
						if v != segs[k] {
							b.Logf("minion road %s: %d", k, v-segs[k])
						}
					}
				}
				b.ReportMetric(float64(after[k]-segs[k])/float64(b.N), "minion-"+strings.TrimPrefix(k, "message_")+"/op")
			}
			b.ReportMetric(float64(echoFloor(b, size).Microseconds())/1000, "floor-ms")
		})
	}
}

// echoFloor is the crypto of a size-byte echo on loopback, measured now:
// two messages of size bytes (the publish, the return), each sealed and
// opened once and cut into segments of the largest loopback datagram,
// each signed and verified (the best of five rounds).
func echoFloor(b *testing.B, size int) time.Duration {
	b.Helper()
	a, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x55}, 32))
	c, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x66}, 32))
	seal, _ := raet.NewBox(a, c.Publican())
	open, _ := raet.NewBox(c, a.Publican())
	s, _ := raet.NewSigner(make([]byte, 32))
	v, _ := raet.NewVerifier(s.VerKey())
	msg := make([]byte, size)
	seg := msg[:min(size, road.JumboPacketSize)]
	segments := (size + len(seg) - 1) / len(seg)
	best := time.Hour
	for range 5 {
		t0 := time.Now()
		for range 2 {
			coat, err := seal.Seal(nil, msg)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := open.Open(nil, coat); err != nil {
				b.Fatal(err)
			}
			for range segments {
				if !v.Verify(seg, s.Sign(seg)) {
					b.Fatal("signature does not verify")
				}
			}
		}
		best = min(best, time.Since(t0))
	}
	return best
}

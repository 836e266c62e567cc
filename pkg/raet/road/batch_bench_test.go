package road

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// BenchmarkUDPSocket moves 1 KB datagrams (a RAET segment's size) from one
// loopback socket to another through the road's Conn, one per system call
// (WriteTo, ReadFrom) or in batches (WriteBatch, ReadBatch: sendmmsg,
// recvmmsg), in rounds of 64 that the reader acknowledges, so none is lost
// to a full receive buffer. No crypto: this is the socket's share of a
// stack's work, the part batching can save.
func BenchmarkUDPSocket(b *testing.B) {
	for _, batched := range []bool{false, true} {
		b.Run(map[bool]string{false: "one-at-a-time", true: "batched"}[batched], func(b *testing.B) {
			a, err := ListenUDP("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			r, err := ListenUDP("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			const round = 64
			ms := make([]Msg, round)
			for i := range ms {
				ms[i] = Msg{B: make([]byte, 1024), Addr: r.LocalAddr()}
			}
			in := make([]Msg, round)
			for i := range in {
				in[i].B = make([]byte, 2048)
			}
			acked := make(chan int)
			go func() {
				buf := make([]byte, 2048)
				got := 0
				for got < b.N {
					want := min(round, b.N-got)
					for n := 0; n < want; {
						if batched {
							k, err := r.(BatchConn).ReadBatch(in[:want-n])
							if err != nil {
								b.Error(err)
								close(acked)
								return
							}
							n += k
						} else {
							if _, _, err := r.ReadFrom(buf); err != nil {
								b.Error(err)
								close(acked)
								return
							}
							n++
						}
					}
					got += want
					acked <- got
				}
			}()
			b.SetBytes(1024)
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			for sent := 0; sent < b.N; {
				n := min(round, b.N-sent)
				if batched {
					if k, err := a.(BatchConn).WriteBatch(ms[:n]); k != n || err != nil {
						b.Fatalf("sent %d of %d: %v", k, n, err)
					}
				} else {
					for _, m := range ms[:n] {
						if err := a.WriteTo(m.B, m.Addr); err != nil {
							b.Fatal(err)
						}
					}
				}
				sent += n
				if <-acked != sent {
					b.Fatal("reader failed")
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "datagrams/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/datagram")
		})
	}
}

// cpuTime is the process's user and system CPU so far: what a datagram
// costs the machine, whichever thread spent it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUDPMessagesBatch is BenchmarkUDPMessages with the stacks' socket
// I/O one datagram per system call, then batched (both stacks reading up
// to 32 at once, both writing what their writers hold), back to back in
// the same run. Each message costs two signatures and two verifications,
// which stay the floor.
func BenchmarkUDPMessagesBatch(b *testing.B) {
	for _, o := range []udpOptions{{readBatch: 1, writeOne: true}, {readBatch: DefaultReadBatch}} {
		b.Run(map[bool]string{true: "one-at-a-time", false: "batched"}[o.writeOne], func(b *testing.B) {
			benchMessages(b, o, 256)
		})
	}
}

// benchMessages sends small messages from beta to alpha, up to window
// outstanding, and reports the rate against the crypto floor.
func benchMessages(b *testing.B, o udpOptions, window int) {
	p := newUDPPair(b, o)
	p.drain()
	defer p.cancel()
	m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: []any{"minion", nil, "remote_cmd"}}, {Key: "dst", Value: []any{"master", nil, "fun"}}}},
		{Key: "load", Value: body.Map{{Key: "fun", Value: "test.ping"}, {Key: "jid", Value: "20261122053000123456"}, {Key: "return", Value: true}}}}
	inflight := make(chan *Delivery, window)
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	go func() {
		for i := 0; i < b.N; i++ {
			inflight <- p.beta.Transmit(m, p.uid, 0)
		}
		close(inflight)
	}()
	for d := range inflight {
		if err := d.Err(); err != nil {
			b.Fatal(fmt.Errorf("message: %w", err))
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	sign, verify := cryptoFloor()
	rate := float64(b.N) / elapsed.Seconds()
	floor := 2 / (2*sign.Seconds() + 2*verify.Seconds())
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(floor, "floor-msgs/s")
	b.ReportMetric(rate/floor, "of-floor")
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/msg")
	b.ReportMetric(float64(b.N)*2*float64(sign+verify)/float64(cpu), "crypto-share")
}

package road

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// udpPair is two stacks over real UDP on loopback, joined and allowed.
type udpPair struct {
	alpha, beta *Stack
	uid         uint32 // beta's uid for alpha
	keeps       map[string]*keep.Keep
	ctx         context.Context
	cancel      context.CancelFunc
}

// udpOptions say how a pair is made: the loopback address, and the head
// and body kinds both stacks send.
type udpOptions struct {
	host  string // 127.0.0.1 unless set
	head  raet.HeadKind
	body  raet.BodyKind // msgpack unless set
	burst int
	max   int // Config.MaxPacketSize of both
	// betaMax, when set, is beta's alone.
	betaMax int
	// readBatch and writeOne go to both stacks' Config (batch_bench_test.go).
	readBatch int
	writeOne  bool
}

func newUDPPair(tb testing.TB, o udpOptions) *udpPair {
	tb.Helper()
	if o.host == "" {
		o.host = "127.0.0.1"
	}
	if o.body == raet.BodyNada {
		o.body = raet.BodyMsgpack
	}
	p := &udpPair{keeps: map[string]*keep.Keep{}}
	mk := func(name string, main bool) *Stack {
		maxPacket := o.max
		if name == "beta" && o.betaMax != 0 {
			maxPacket = o.betaMax
		}
		conn, err := ListenUDP(net.JoinHostPort(o.host, "0"))
		if err != nil {
			tb.Fatal(err)
		}
		k, err := keep.Open(tb.TempDir(), keep.KindJSON, raet.AutoAlways)
		if err != nil {
			tb.Fatal(err)
		}
		p.keeps[name] = k
		signer, priv := simKeys(tb, name)
		s, err := NewStack(Config{Name: name, Main: main, Signer: signer, Privateer: priv, Conn: conn, Keep: k,
			HeadKind: o.head, BodyKind: o.body, BurstSize: o.burst, MaxPacketSize: maxPacket,
			ReadBatch: o.readBatch, WriteOne: o.writeOne})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	p.alpha, p.beta = mk("alpha", true), mk("beta", false)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	go p.alpha.Run(p.ctx)
	go p.beta.Run(p.ctx)
	uid, err := p.beta.Join(p.alpha.LocalAddr(), true)
	if err != nil {
		tb.Fatal(err)
	}
	p.uid = uid
	deadline := time.Now().Add(30 * time.Second)
	for p.beta.Remotes()[uid].Allowed != Yes {
		if time.Now().After(deadline) {
			tb.Fatal("no session within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	return p
}

// drain throws away alpha's deliveries and both stacks' events, so the
// loops never wait on them.
func (p *udpPair) drain() {
	go func() {
		for {
			select {
			case <-p.alpha.Receive():
			case <-p.alpha.Events():
			case <-p.ctx.Done():
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case <-p.beta.Events():
			case <-p.ctx.Done():
				return
			}
		}
	}()
}

// cryptoFloor measures one signature and one verification of a 1 KB
// packet as the stacks make them, to state the floor in the same run.
func cryptoFloor() (sign, verify time.Duration) {
	s, _ := raet.NewSigner(make([]byte, 32))
	v, _ := raet.NewVerifier(s.VerKey())
	msg := make([]byte, 1024)
	sig := s.Sign(msg)
	// The best of five rounds: a round that a GC or a neighbour slowed
	// would lower the floor and flatter the stacks.
	const n = 300
	sign, verify = time.Hour, time.Hour
	for round := 0; round < 5; round++ {
		t0 := time.Now()
		for i := 0; i < n; i++ {
			s.Sign(msg)
		}
		t1 := time.Now()
		for i := 0; i < n; i++ {
			v.Verify(msg, sig)
		}
		sign, verify = min(sign, t1.Sub(t0)/n), min(verify, time.Since(t1)/n)
	}
	return sign, verify
}

// BenchmarkUDPMessages sends small messages from beta to alpha over
// loopback UDP with up to 64 outstanding, each waiting for its done. Every
// message needs two signatures and two verifications (the message and its
// done); with two stacks on two cores the floor is 2 / (2 sign + 2 verify).
func BenchmarkUDPMessages(b *testing.B) {
	p := newUDPPair(b, udpOptions{})
	p.drain()
	defer p.cancel()
	m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: []any{"minion", nil, "remote_cmd"}}, {Key: "dst", Value: []any{"master", nil, "fun"}}}},
		{Key: "load", Value: body.Map{{Key: "fun", Value: "test.ping"}, {Key: "jid", Value: "20261122053000123456"}, {Key: "return", Value: true}}}}
	const window = 64
	inflight := make(chan *Delivery, window)
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := 0; i < b.N; i++ {
			inflight <- p.beta.Transmit(m, p.uid, 0)
		}
		close(inflight)
	}()
	for d := range inflight {
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sign, verify := cryptoFloor()
	rate := float64(b.N) / elapsed.Seconds()
	floor := 2 / (2*sign.Seconds() + 2*verify.Seconds())
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(floor, "floor-msgs/s")
	b.ReportMetric(rate/floor, "of-floor")
}

// BenchmarkUDPTenMegabytes sends one 10 MB message over loopback UDP. Each
// segment needs a signature at the sender and a verification at the
// receiver, which overlap on two cores: the floor is the slower of the two.
func BenchmarkUDPTenMegabytes(b *testing.B) {
	for _, c := range []struct {
		name       string
		burst, max int
	}{
		{"burst-all", Unlimited, 0}, {"burst-256", DefaultBurstSize, 0},
		{"reference-1KB-burst-all", Unlimited, -1}, {"reference-1KB-burst-256", DefaultBurstSize, -1},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := newUDPPair(b, udpOptions{burst: c.burst, max: c.max})
			p.drain()
			defer p.cancel()
			m := body.Map{{Key: "pad", Value: strings.Repeat("x", 10<<20)}}
			b.SetBytes(10 << 20)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := p.beta.Transmit(m, p.uid, 0).Err(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			sign, verify := cryptoFloor()
			segment := float64(raet.UDPMaxPacketSize - 160) // the coat a segment carries, about
			floor := segment / max(sign, verify).Seconds() / (1 << 20)
			b.ReportMetric(floor, "floor-MB/s")
			st := p.beta.Stats()
			b.ReportMetric(float64(st["message_segment_tx"])/float64(b.N), "segments-sent/op")
		})
	}
}

// BenchmarkIdleRemote measures the memory a main holds for each joined and
// allowed remote with nothing going on: 1000 estates join one main in the
// simulation; the heap with the main's remotes, less the heap once it lets
// go of them, is what they hold.
//
// The main's bounded memories of datagrams and hellos seen lately
// (verifyseen.go, allowprep.go, allowlimit.go) fill during the joins and
// stay full, but they are the stack's, bounded whatever the estates:
// reported apart (bounded-bytes), not as the remotes'.
func BenchmarkIdleRemote(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		base, _ := mainHeap(b, 0)
		remotes, bounded := mainHeap(b, n)
		b.ReportMetric(float64(remotes-base)/n, "bytes/remote")
		b.ReportMetric(float64(bounded), "bounded-bytes")
	}
}

// mainHeap is the heap a main holds once n estates have joined, allowed and
// gone quiet: the heap with it less the heap once it is gone, with its
// network and joiners still there; and apart, what its bounded memories of
// recent datagrams and hellos held.
func mainHeap(b *testing.B, n int) (int64, int64) {
	s := newSim(b, 1)
	main := s.add(Config{Name: "main", Main: true}, 7000, raet.AutoAlways)
	for j := 0; j < n; j++ {
		st := s.add(Config{Name: "m" + itoa(j)}, uint16(10000+j), raet.AutoAlways)
		r := newRemote(0, main.conn.LocalAddr())
		st.addRemote(r)
		st.join(r, false, true)
	}
	s.quiesce(10 * time.Minute)
	if len(main.remotes) != n {
		b.Fatalf("%d remotes joined", len(main.remotes))
	}
	main.events = nil // an application takes them
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	full := heap()
	main.seen, main.hellos, main.helloFirsts = newVerifiedSeen(true), newHelloPreps(), newRecent[helloKey, time.Time](helloFirstsKept)
	with := heap()
	main.ep.Close()
	s.stacks[0] = nil // the slice's array would keep it
	s.stacks = s.stacks[1:]
	main = nil
	without := heap()
	runtime.KeepAlive(s)
	return with - without, full - with
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

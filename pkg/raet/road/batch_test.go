package road

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The UDP socket's batches: datagrams written in one call arrive in order
// and are read in one call, on an IPv4 socket and on a dual-stack one
// sending to an IPv4 peer (whose sockaddr it must write as IPv4).
func TestBatchConnOnLoopback(t *testing.T) {
	for _, from := range []string{"127.0.0.1:0", ":0"} {
		t.Run(from, func(t *testing.T) {
			a, err := ListenUDP(from)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := ListenUDP("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			const n = 10
			out := make([]Msg, n)
			for i := range out {
				out[i] = Msg{B: []byte(fmt.Sprintf("datagram %d", i)), Addr: b.LocalAddr()}
			}
			if sent, err := a.(BatchConn).WriteBatch(out); sent != n || err != nil {
				t.Fatalf("WriteBatch sent %d of %d: %v", sent, n, err)
			}
			in := make([]Msg, 16)
			for i := range in {
				in[i].B = make([]byte, 2048)
			}
			var got []string
			calls := 0
			deadline := time.Now().Add(30 * time.Second)
			for len(got) < n && time.Now().Before(deadline) {
				k, err := b.(BatchConn).ReadBatch(in)
				if err != nil {
					t.Fatal(err)
				}
				calls++
				for _, m := range in[:k] {
					if m.Addr.Port() != a.LocalAddr().Port() || !m.Addr.Addr().Is4() {
						t.Errorf("from %v, want port %d over IPv4", m.Addr, a.LocalAddr().Port())
					}
					got = append(got, string(m.B[:m.N]))
				}
			}
			for i, s := range got {
				if want := fmt.Sprintf("datagram %d", i); s != want {
					t.Fatalf("datagram %d is %q, want %q", i, s, want)
				}
			}
			if len(got) != n {
				t.Fatalf("read %d of %d datagrams", len(got), n)
			}
			// Loopback queues what was sent before the write returned.
			if calls != 1 {
				t.Errorf("%d reads for %d queued datagrams, want 1", calls, n)
			}
		})
	}
}

// A WriteBatch with a datagram the kernel refuses (too large for UDP)
// sends the rest, and counts the one.
func TestBatchWriteSkipsRefused(t *testing.T) {
	a, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var errs atomic.Uint64
	ac := &asyncConn{Conn: a, errors: &errs}
	ms := []Msg{{B: []byte("one"), Addr: b.LocalAddr()}, {B: make([]byte, 70000), Addr: b.LocalAddr()}, {B: []byte("three"), Addr: b.LocalAddr()}}
	ac.writeAll(a.(BatchConn), ms)
	if errs.Load() != 1 {
		t.Errorf("%d errors counted, want 1", errs.Load())
	}
	buf := make([]byte, 2048)
	for _, want := range []string{"one", "three"} {
		n, _, err := b.ReadFrom(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
	}
}

// Two stacks over UDP, the main reading in batches and both writing in
// batches: a burst of messages each way, sent without waiting, all arrive
// exactly once.
func TestBatchedStacksCarryABurst(t *testing.T) {
	p := newUDPPair(t, udpOptions{})
	defer p.cancel()
	auid, ok := p.alpha.UID("beta")
	if !ok {
		t.Fatal("alpha does not know beta")
	}
	go func() { // events are not what this test reads
		for {
			select {
			case <-p.alpha.Events():
			case <-p.beta.Events():
			case <-p.ctx.Done():
				return
			}
		}
	}()
	const n = 300
	msg := func(from string, i int) body.Map {
		return body.Map{{Key: "from", Value: from}, {Key: "i", Value: i}, {Key: "pad", Value: string(make([]byte, 300))}}
	}
	var ds []*Delivery
	for i := 0; i < n; i++ {
		ds = append(ds, p.beta.Transmit(msg("beta", i), p.uid, 0), p.alpha.Transmit(msg("alpha", i), auid, 0))
	}
	seen := map[string]int{}
	for len(seen) < 2*n {
		var rx Received
		select {
		case rx = <-p.alpha.Receive():
		case rx = <-p.beta.Receive():
		case <-time.After(60 * time.Second):
			t.Fatalf("%d of %d messages arrived", len(seen), 2*n)
		}
		from, _ := rx.Body.Get("from")
		i, _ := rx.Body.Get("i")
		key := fmt.Sprint(from, i)
		if seen[key]++; seen[key] > 1 {
			t.Fatalf("message %s delivered twice", key)
		}
	}
	for _, d := range ds {
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if e := p.alpha.Stats()["transmit_error"] + p.beta.Stats()["transmit_error"]; e != 0 {
		t.Errorf("%d transmit errors", e)
	}
}

var _ BatchConn = (*udpConn)(nil)

package road

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

func testKeys(t *testing.T, b byte) (*raet.Signer, *raet.Privateer) {
	t.Helper()
	return testutil.SeededKeys(t, bytes.Repeat([]byte{b}, 32), bytes.Repeat([]byte{b + 1}, 32))
}

// eventually polls cond on the loop until it holds or a generous deadline
// passes: tests wait on events, never on fixed sleeps.
func eventually(t *testing.T, s *Stack, what string, cond func(c *core) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		if err := s.do(func(c *core) { ok = cond(c) }); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%s: not within 30 s", what)
}

// Over real UDP on loopback: the loop reads, dispatches and answers, and
// stops cleanly when its context ends.
func TestStackOverUDP(t *testing.T) {
	conn, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := testKeys(t, 0x33)
	s, err := NewStack(Config{Name: "main", Main: true, Signer: signer, Privateer: priv, Conn: conn})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	peerSigner, _ := testKeys(t, 0x11)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx) }()

	if err := s.do(func(c *core) {
		r := newRemote(2, peer.LocalAddr())
		r.Name, r.FUID = "other", 3
		r.verfer, _ = raet.NewVerifier(peerSigner.VerKey())
		c.addRemote(r)
	}); err != nil {
		t.Fatal(err)
	}
	// A reply to a transaction the stack never started: it must nack it.
	h := wire.Head{TK: raet.TrnsMessage, PK: raet.PcktAck, CF: true, SE: 3, DE: 2, SI: 1, TI: 4, FK: raet.FootNacl}
	pkt, _ := wire.Pack(&h, nil, nil, peerSigner)
	if err := peer.WriteTo(pkt.Packed, s.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got := make(chan *wire.Packet, 1)
	go func() {
		buf := make([]byte, 2048)
		n, from, err := peer.ReadFrom(buf)
		if err != nil || from != s.LocalAddr() {
			t.Errorf("read from %v: %v", from, err)
			got <- nil
			return
		}
		p, _ := wire.ParsePacket(buf[:n])
		got <- p
	}()
	select {
	case p := <-got:
		if p == nil || p.PK != raet.PcktNack || p.SE != 2 || p.DE != 3 || p.TI != 4 {
			t.Fatalf("reply %+v", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no reply over UDP")
	}
	if st := s.Stats(); st["stale_correspondent_nack"] != 1 {
		t.Errorf("stats %v", st)
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not end")
	}
	if !errors.Is(s.do(func(*core) {}), ErrStopped) {
		t.Error("a stopped stack still answers")
	}
	if st := s.Stats(); st["stale_correspondent_nack"] != 1 {
		t.Errorf("a stopped stack's stats %v", st)
	}
	if err := conn.WriteTo([]byte("x"), peer.LocalAddr()); err == nil {
		t.Error("the connection is still open after Run ended")
	}
}

// The loop wakes for the earliest transaction deadline on its clock, and
// forgets done message ids when their time is up.
func TestStackServicesDeadlines(t *testing.T) {
	clk := clock.NewFake()
	network := netsim.New(1, clk.Now)
	ep, _ := network.Listen(stackAddr)
	signer, priv := testKeys(t, 0x33)
	s, err := NewStack(Config{Name: "main", Signer: signer, Privateer: priv, Conn: ep, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	tx := &timedTx{at: clk.Now().Add(2 * time.Second)}
	s.do(func(c *core) {
		r := newRemote(2, peerAddr)
		r.transactions[txIndex{ti: 1}] = tx
		c.addRemote(r)
		c.remember(r, 1, 7, true)
	})
	clk.Advance(1999 * time.Millisecond)
	s.do(func(*core) {}) // let the loop run anything due
	if tx.processed {
		t.Fatal("processed before its deadline")
	}
	clk.Advance(time.Millisecond)
	eventually(t, s, "transaction processed at its deadline", func(*core) bool { return tx.processed })
	clk.Advance(600 * time.Second)
	eventually(t, s, "done id forgotten after 600 s", func(c *core) bool { return len(c.remotes[2].done) == 0 })
}

// timedTx wants processing once, at a given time.
type timedTx struct {
	fakeTx
	at        time.Time
	processed bool
}

func (x *timedTx) process(time.Time) { x.processed = true }
func (x *timedTx) deadline() time.Time {
	if x.processed {
		return time.Time{}
	}
	return x.at
}

// A peer's datagrams always go to the same checker, so they reach the loop
// in order; different peers spread over the checkers.
func TestShardOfKeepsAPeerOnOneChecker(t *testing.T) {
	const n = 4
	used := map[int]bool{}
	for port := 1; port <= 1000; port++ {
		a := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(port >> 8), byte(port)}), uint16(4510+port))
		s := shardOf(a, n)
		if s < 0 || s >= n {
			t.Fatalf("shard %d of %d", s, n)
		}
		for i := 0; i < 3; i++ {
			if shardOf(a, n) != s {
				t.Fatalf("%v moved between checkers", a)
			}
		}
		used[s] = true
	}
	if len(used) != n {
		t.Errorf("1000 peers used %d of %d checkers", len(used), n)
	}
}

// recordConn keeps what was written to each address, in order.
type recordConn struct {
	mu   sync.Mutex
	sent map[netip.AddrPort][][]byte
}

func (r *recordConn) WriteTo(b []byte, to netip.AddrPort) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent[to] = append(r.sent[to], b)
	return nil
}
func (r *recordConn) ReadFrom([]byte) (int, netip.AddrPort, error) { select {} }
func (r *recordConn) LocalAddr() netip.AddrPort                    { return netip.AddrPort{} }
func (r *recordConn) Close() error                                 { return nil }

// The writers sign what the loop packed. A packet queued again before its
// first send was signed (a retransmission, or a remote that moved to an
// address on another writer) gets one signature, and every send of it
// carries it; each destination gets its datagrams in the order queued.
func TestWritersSignBesideTheLoop(t *testing.T) {
	signer, _ := testKeys(t, 7)
	ver, _ := raet.NewVerifier(signer.VerKey())
	rec := &recordConn{sent: map[netip.AddrPort][][]byte{}}
	a := newAsyncConn(rec, 4, DefaultQueueLen, new(atomic.Uint64))
	a.start()
	from := netip.MustParseAddrPort("127.0.0.1:7530")
	to := from
	for port := uint16(7531); shardOf(to, 4) == shardOf(from, 4); port++ {
		to = netip.AddrPortFrom(from.Addr(), port)
	}
	var packets []*wire.Packet
	for i := 0; i < 200; i++ {
		h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktMessage, TK: raet.TrnsMessage,
			SE: 2, DE: 3, SI: 1, TI: uint32(i + 1), FK: raet.FootNacl}
		p, err := wire.PackLater(&h, []byte(fmt.Sprintf(`{"n":%d}`, i)), nil, signer)
		if err != nil {
			t.Fatal(err)
		}
		packets = append(packets, p)
		for _, dst := range []netip.AddrPort{from, to, from} {
			if err := a.writeLater(p.Later(), dst); err != nil {
				t.Fatal(err)
			}
		}
	}
	a.stop()
	for _, dst := range []netip.AddrPort{from, to} {
		want := 400
		if dst == to {
			want = 200
		}
		got := rec.sent[dst]
		if len(got) != want {
			t.Fatalf("%d datagrams to %v, want %d", len(got), dst, want)
		}
		for i, b := range got {
			p, err := wire.ParsePacket(append([]byte(nil), b...))
			if err != nil || p.Verify(ver) != nil {
				t.Fatalf("datagram %d to %v does not verify: %v", i, dst, err)
			}
			n := i
			if dst == from {
				n = i / 2
			}
			if p.TI != uint32(n+1) {
				t.Fatalf("datagram %d to %v is tid %d: out of order", i, dst, p.TI)
			}
			if &b[0] != &packets[n].Packed[0] {
				t.Fatalf("datagram %d to %v was copied, not signed once in place", i, dst)
			}
		}
	}
}

// Two stacks over real UDP, on IPv4 and IPv6 loopback, with RAET and JSON
// heads: join, allow, and messages both ways, from one byte to 1 MB, each
// delivered whole with its sender's name; the keeps hold the addresses.
func TestStacksOverUDP(t *testing.T) {
	for _, c := range []struct {
		host string
		head raet.HeadKind
		body raet.BodyKind
	}{
		{"127.0.0.1", raet.HeadRaet, raet.BodyMsgpack},
		{"127.0.0.1", raet.HeadJSON, raet.BodyJSON},
		{"::1", raet.HeadRaet, raet.BodyMsgpack},
		{"::1", raet.HeadJSON, raet.BodyJSON},
	} {
		t.Run(fmt.Sprintf("%s %s heads %s bodies", c.host, c.head, c.body), func(t *testing.T) {
			if c.host == "::1" {
				probe, err := ListenUDP("[::1]:0")
				if err != nil {
					t.Skipf("no IPv6 loopback here: %v", err)
				}
				probe.Close()
			}
			p := newUDPPair(t, udpOptions{host: c.host, head: c.head, body: c.body})
			defer p.cancel()
			if !p.alpha.LocalAddr().Addr().Is6() != (c.host == "127.0.0.1") {
				t.Fatalf("alpha listens on %v", p.alpha.LocalAddr())
			}
			back, ok := p.alpha.UID("beta")
			if !ok {
				t.Fatal("alpha does not know beta by name")
			}
			rng := rand.New(rand.NewSource(1))
			for _, size := range []int{1, 3000, 1 << 20} {
				for _, dir := range []struct {
					from, to *Stack
					uid      uint32
				}{{p.beta, p.alpha, p.uid}, {p.alpha, p.beta, back}} {
					m := padded(rng, size, size)
					d := dir.from.Transmit(m, dir.uid, 0)
					select {
					case got := <-dir.to.Receive():
						if got.From != dir.from.Name() || !checkPad(got.Body) || len(mustString(t, got.Body, "pad")) != size {
							t.Fatalf("%d bytes from %s: received from %q, whole %v", size, dir.from.Name(), got.From, checkPad(got.Body))
						}
					case <-time.After(30 * time.Second):
						t.Fatalf("%d bytes from %s: not received", size, dir.from.Name())
					}
					if err := d.Err(); err != nil {
						t.Fatalf("%d bytes from %s: %v", size, dir.from.Name(), err)
					}
				}
			}
			for name, k := range p.keeps {
				rs, err := k.LoadRemotes()
				if err != nil || len(rs) != 1 {
					t.Fatalf("%s's keep: %v %v", name, rs, err)
				}
				other := p.alpha
				if name == "alpha" {
					other = p.beta
				}
				if got, want := rs[0].HA, keepHAOf(other.LocalAddr()); got != want || got.Host != c.host {
					t.Errorf("%s keeps %s at %v, listening on %v", name, rs[0].Name, got, other.LocalAddr())
				}
			}
		})
	}
}

func mustString(t *testing.T, m body.Map, key string) string {
	t.Helper()
	s, ok := m.String(key)
	if !ok {
		t.Fatalf("no %s in %v", key, m)
	}
	return s
}

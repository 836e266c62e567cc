package road

import (
	"context"
	"fmt"
	"math/rand"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// lossyRelay forwards datagrams between one client and a server over real
// UDP, as the relay did: it drops, duplicates and reorders (holds
// a datagram back until the next one has gone) at the given rates.
type lossyRelay struct {
	front, back *net.UDPConn // the client's side, the server's side
	server      *net.UDPAddr
	mu          sync.Mutex
	rng         *rand.Rand
	client      *net.UDPAddr
	held        map[*net.UDPConn][]byte
	drop, dup   float64
	reorder     float64
}

func newLossyRelay(t *testing.T, server netip.AddrPort, seed int64, drop, dup, reorder float64) *lossyRelay {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	r := &lossyRelay{front: listen(), back: listen(), server: net.UDPAddrFromAddrPort(server),
		rng: rand.New(rand.NewSource(seed)), held: map[*net.UDPConn][]byte{}, drop: drop, dup: dup, reorder: reorder}
	go r.pump(r.front, r.back, true)
	go r.pump(r.back, r.front, false)
	return r
}

func (r *lossyRelay) addr() netip.AddrPort {
	return r.front.LocalAddr().(*net.UDPAddr).AddrPort()
}

// pump reads from one side and forwards to the other until closed.
func (r *lossyRelay) pump(in, out *net.UDPConn, fromClient bool) {
	buf := make([]byte, 65536)
	for {
		n, from, err := in.ReadFromUDP(buf)
		if err != nil {
			return
		}
		r.mu.Lock()
		to := r.server
		if fromClient {
			r.client = from
		} else {
			to = r.client
		}
		if to != nil {
			r.forward(out, to, append([]byte(nil), buf[:n]...))
		}
		r.mu.Unlock()
	}
}

func (r *lossyRelay) forward(out *net.UDPConn, to *net.UDPAddr, d []byte) {
	if r.rng.Float64() < r.drop {
		return
	}
	copies := 1
	if r.rng.Float64() < r.dup {
		copies = 2
	}
	if held := r.held[out]; held == nil && r.rng.Float64() < r.reorder {
		r.held[out] = d
		return
	}
	for range copies {
		out.WriteToUDP(d, to)
	}
	if held := r.held[out]; held != nil {
		delete(r.held, out)
		out.WriteToUDP(held, to)
	}
}

// relayStack starts a stack on loopback with a keep of its own.
func relayStack(t *testing.T, ctx context.Context, name string, main bool, key byte) *Stack {
	t.Helper()
	conn, err := ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k, err := keep.Open(t.TempDir(), keep.KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := testKeys(t, key)
	s, err := NewStack(Config{Name: name, Main: main, Keep: k, Signer: signer, Privateer: priv, Conn: conn,
		Manage: true, ManageCascade: true})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	go func() { s.Run(ctx); close(ran) }()
	t.Cleanup(func() { <-ran })
	return s
}

// The run: two peers through a relay that drops 30%, duplicates
// 5% and reorders 10% of datagrams over real UDP, joining again with
// messages in flight. A message reported delivered arrived exactly once;
// any other was reported failed, and none arrived twice.
func TestDeliveryThroughLossyRelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	main := relayStack(t, ctx, "main", true, 0x21)
	peer := relayStack(t, ctx, "peer", false, 0x41)
	relay := newLossyRelay(t, main.LocalAddr(), 12, 0.3, 0.05, 0.1)
	uid, err := peer.Join(relay.addr(), true)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, peer, "allowed through the relay", func(c *core) bool {
		r := c.remotes[uid]
		return r != nil && r.Allowed == Yes && c.byName["main"] == r
	})
	var back uint32
	eventually(t, main, "the peer known to main", func(c *core) bool {
		r := c.byName["peer"]
		if r != nil && r.Allowed == Yes {
			back = r.UID
		}
		return back != 0
	})

	arrived := map[string]int{}
	var amu sync.Mutex
	for _, s := range []*Stack{main, peer} {
		go func() {
			for {
				select {
				case m := <-s.Receive():
					id, _ := m.Body.String("id")
					amu.Lock()
					arrived[id]++
					amu.Unlock()
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	rng := rand.New(rand.NewSource(12))
	sent := map[string]*Delivery{}
	for i := range 40 {
		from, to, name := peer, uid, fmt.Sprintf("up-%d", i)
		if i%2 == 1 {
			from, to, name = main, back, fmt.Sprintf("down-%d", i)
		}
		m := padded(rng, i, []int{10, 900, 3000}[i%3])
		m = append(m, body.Item{Key: "id", Value: name})
		sent[name] = from.Transmit(m, to, 30*time.Second)
		if i == 10 || i == 25 {
			if _, err := peer.Join(relay.addr(), true); err != nil { // joined and allowed again, mid-transfer
				t.Fatal(err)
			}
		}
	}
	failed := 0
	for name, d := range sent {
		select {
		case <-d.Done():
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s: never reported", name)
		}
		if d.Err() != nil {
			failed++
			continue
		}
		eventuallyArrived(t, &amu, arrived, name)
	}
	// Late duplicates have had the senders' whole wait to arrive; check
	// once more that none arrived twice.
	amu.Lock()
	defer amu.Unlock()
	for name, n := range arrived {
		if n > 1 {
			t.Errorf("%s arrived %d times", name, n)
		}
	}
	t.Logf("%d messages, %d reported failed", len(sent), failed)
}

// eventuallyArrived waits for a message reported delivered to reach the
// application: its done went out when it was handed on.
func eventuallyArrived(t *testing.T, mu *sync.Mutex, arrived map[string]int, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := arrived[name]
		mu.Unlock()
		if n == 1 {
			return
		}
		if n > 1 || time.Now().After(deadline) {
			t.Errorf("%s reported delivered, arrived %d times", name, n)
			return
		}
		time.Sleep(time.Millisecond)
	}
}

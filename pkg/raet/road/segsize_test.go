package road

import (
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The system's path MTU: the whole IP datagram toward loopback, the
// reference's size and heads when nothing can be told, and the payload
// left after the IP and UDP heads.
func TestSystemPathMTU(t *testing.T) {
	for _, c := range []struct {
		addr string
		want int
	}{{"127.0.0.1", 65535}, {"127.3.4.5", 65535}, {"::1", 65535}, {"0.0.0.0", raet.UDPMaxPacketSize + 48}} {
		if got := SystemPathMTU(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("%s: %d, want %d", c.addr, got, c.want)
		}
	}
	c := newCore(Config{Name: "x"})
	if got := c.pathPayload(netip.MustParseAddr("127.0.0.1")); got != JumboPacketSize {
		t.Errorf("loopback payload %d, want %d", got, JumboPacketSize)
	}
	if got := c.pathPayload(netip.MustParseAddr("::1")); got != 65535-48 {
		t.Errorf("IPv6 loopback payload %d, want %d", got, 65535-48)
	}
}

// What a stack announces, and what it makes of an announcement.
func TestAnnouncedPacketSize(t *testing.T) {
	for _, c := range []struct{ cfg, want int }{{0, JumboPacketSize}, {-1, 0}, {1024, 0}, {9000, 9000}, {1 << 20, JumboPacketSize}} {
		if got := newCore(Config{Name: "x", MaxPacketSize: c.cfg}).announcedPacketSize(); got != c.want {
			t.Errorf("MaxPacketSize %d announces %d, want %d", c.cfg, got, c.want)
		}
	}
	for _, c := range []struct {
		v    int64
		ok   bool
		want int
	}{{9000, true, 9000}, {9000, false, 0}, {1024, true, 0}, {70000, true, 0}, {-5, true, 0}} {
		if got := readMaxPacket(c.v, c.ok); got != c.want {
			t.Errorf("readMaxPacket(%d, %v) = %d, want %d", c.v, c.ok, got, c.want)
		}
	}
}

// A stack that says it reads datagrams of at most n reads with a buffer of
// n (at least the reference's 2 KB), 64 KiB otherwise.
func TestReadSize(t *testing.T) {
	for _, c := range []struct{ cfg, want int }{{0, readBufSize}, {-1, readBufSize}, {1024, 2048}, {8192, 8192}, {JumboPacketSize, readBufSize}} {
		if got := newCore(Config{Name: "x", MaxPacketSize: c.cfg}).readSize(); got != c.want {
			t.Errorf("MaxPacketSize %d reads with %d bytes, want %d", c.cfg, got, c.want)
		}
	}
}

// A stack reading with a small buffer (an emulated minion's 8 KB) gets a
// large message whole from a peer that reads 64 KiB, and sends one back:
// the peer cut it to what the stack said in its join.
func TestSmallReadBufferTakesLargeMessages(t *testing.T) {
	p := newUDPPair(t, udpOptions{betaMax: 8 << 10})
	defer p.cancel()
	back, ok := p.alpha.UID("beta")
	if !ok {
		t.Fatal("alpha does not know beta by name")
	}
	rng := rand.New(rand.NewSource(2))
	for _, dir := range []struct {
		from, to *Stack
		uid      uint32
	}{{p.alpha, p.beta, back}, {p.beta, p.alpha, p.uid}} {
		m := padded(rng, 200<<10, 200<<10)
		d := dir.from.Transmit(m, dir.uid, 0)
		select {
		case got := <-dir.to.Receive():
			if !checkPad(got.Body) || len(mustString(t, got.Body, "pad")) != 200<<10 {
				t.Fatalf("200 KB from %s: not whole", dir.from.Name())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("200 KB from %s: not received", dir.from.Name())
		}
		if err := d.Err(); err != nil {
			t.Fatalf("200 KB from %s: %v", dir.from.Name(), err)
		}
	}
	// 200 KB in datagrams of at most 8 KB: 25 segments at least.
	if n := p.alpha.Stats()["message_segment_tx"]; n < 25 {
		t.Errorf("alpha sent 200 KB to beta in %d segments: more than the 8 KB beta reads each", n)
	}
}

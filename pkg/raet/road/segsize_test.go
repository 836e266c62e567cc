package road

import (
	"net/netip"
	"testing"

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

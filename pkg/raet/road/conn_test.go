package road_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

var (
	_ road.Conn = (*netsim.Endpoint)(nil)
)

func TestResolveHA(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		host string
		want string
	}{
		{"", "127.0.0.1:7530"},
		{"0.0.0.0", "127.0.0.1:7530"},
		{"::", "[::1]:7530"},
		{"127.0.0.1", "127.0.0.1:7530"},
		{"::ffff:10.1.2.3", "10.1.2.3:7530"},
		{"localhost", "127.0.0.1:7530"},
		{"fe80::1", "[fe80::1]:7530"},
	} {
		got, err := road.ResolveHA(ctx, c.host, 7530)
		if err != nil || got.String() != c.want {
			t.Errorf("ResolveHA(%q) = %v, %v; want %s", c.host, got, err, c.want)
		}
	}
	if _, err := road.ResolveHA(ctx, "no-such-host.invalid", 1); err == nil {
		t.Error("resolved a name that does not exist")
	}
	if _, err := road.ResolveHA(ctx, "127.0.0.1", 70000); err == nil {
		t.Error("accepted port 70000")
	}
}

// loopbackConns opens two sockets on loopback, closed when the test ends.
func loopbackConns(t *testing.T) (a, b road.Conn) {
	t.Helper()
	for _, c := range []*road.Conn{&a, &b} {
		conn, err := road.ListenUDP("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		*c = conn
	}
	return a, b
}

func TestUDPConnOnLoopback(t *testing.T) {
	a, b := loopbackConns(t)
	if a.LocalAddr().Port() == 0 || !a.LocalAddr().Addr().Is4() {
		t.Fatalf("local address %v", a.LocalAddr())
	}
	if err := a.WriteTo([]byte("ri RAET\n\n"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		n, from, err := b.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "ri RAET\n\n" || from != a.LocalAddr() {
			t.Errorf("read %q from %v (want %v): %v", buf[:n], from, a.LocalAddr(), err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no datagram on loopback")
	}
	// A dual-stack socket reports IPv4 peers as mapped IPv6; normalised, they are one.
	mapped := netip.MustParseAddrPort("[::ffff:127.0.0.1]:4506")
	if got := road.NormalizeAddr(mapped); got.String() != "127.0.0.1:4506" {
		t.Errorf("NormalizeAddr(%v) = %v", mapped, got)
	}
}

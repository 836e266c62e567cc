package road_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// The socket's raw calls (rawudp_linux.go) must read and write the
// addresses of every family a stack meets: a dual-stack socket (an empty
// host) talks to IPv4 peers through v4-mapped addresses, which it must write
// and report as plain IPv4.
func TestUDPConnFamilies(t *testing.T) {
	pairs := []struct{ a, b string }{
		{"127.0.0.1:0", "127.0.0.1:0"},
		{":0", "127.0.0.1:0"}, // dual-stack to IPv4 and back
		{"[::1]:0", "[::1]:0"},
	}
	for _, p := range pairs {
		a, err := road.ListenUDP(p.a)
		if err != nil {
			t.Logf("%s: %v (no such family here)", p.a, err)
			continue
		}
		b, err := road.ListenUDP(p.b)
		if err != nil {
			a.Close()
			t.Logf("%s: %v (no such family here)", p.b, err)
			continue
		}
		// A dual-stack socket's own address is unspecified; its peers
		// reach it on loopback of the other's family.
		aAddr := a.LocalAddr()
		if aAddr.Addr().IsUnspecified() {
			aAddr = netip.AddrPortFrom(b.LocalAddr().Addr(), aAddr.Port())
		}
		exchange(t, a, b, b.LocalAddr(), aAddr)
		exchange(t, b, a, aAddr, b.LocalAddr())
		a.Close()
		b.Close()
	}
}

// exchange sends a datagram from one conn to the other and checks what
// arrives and whom it says it came from.
func exchange(t *testing.T, from, to road.Conn, toAddr, fromAddr netip.AddrPort) {
	t.Helper()
	msg := "ri RAET\n\n" + fromAddr.String()
	if err := from.WriteTo([]byte(msg), toAddr); err != nil {
		t.Fatalf("write to %v: %v", toAddr, err)
	}
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 2048)
		n, peer, err := to.ReadFrom(buf)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf[:n]) + " from " + peer.String()
	}()
	select {
	case s := <-got:
		if want := msg + " from " + fromAddr.String(); s != want {
			t.Errorf("read %q, want %q", s, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no datagram to %v", toAddr)
	}
}

// A batch read takes every datagram queued, each with its length and
// sender; closing the socket ends a read waiting on it with net.ErrClosed,
// which ends the stack's reader.
func TestUDPConnBatchAndClose(t *testing.T) {
	a, b := loopbackConns(t)
	bc := b.(road.BatchConn)
	msgs := []string{"one", "two!", "three"}
	for _, m := range msgs {
		if err := a.WriteTo([]byte(m), b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	ms := make([]road.Msg, 8)
	for i := range ms {
		ms[i].B = make([]byte, 64)
	}
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < len(msgs) && time.Now().Before(deadline) {
		n, err := bc.ReadBatch(ms)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms[:n] {
			if m.Addr != a.LocalAddr() {
				t.Errorf("datagram from %v, want %v", m.Addr, a.LocalAddr())
			}
			got = append(got, string(m.B[:m.N]))
		}
	}
	if len(got) != len(msgs) || got[0] != msgs[0] || got[1] != msgs[1] || got[2] != msgs[2] {
		t.Fatalf("read %q, want %q", got, msgs)
	}

	done := make(chan error, 1)
	go func() {
		_, _, err := b.ReadFrom(make([]byte, 64))
		done <- err
	}()
	b.Close() // whether the read parked yet or not, it ends
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed socket: %v, want net.ErrClosed", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("closing the socket did not end the read")
	}
	if err := b.WriteTo([]byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write on a closed socket: %v, want net.ErrClosed", err)
	}
}

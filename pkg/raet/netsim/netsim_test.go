package netsim_test

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

var (
	addrA = netip.MustParseAddrPort("127.0.0.1:7530")
	addrB = netip.MustParseAddrPort("127.0.0.1:7531")
)

// run sends count numbered datagrams from a to b under the given faults and
// returns the numbers in the order they arrived.
func run(t *testing.T, seed int64, f netsim.Faults, count int) ([]int, netsim.Stats) {
	t.Helper()
	clk := clock.NewFake()
	n := netsim.New(seed, clk.Now)
	n.SetFaults(f)
	a, _ := n.Listen(addrA)
	b, _ := n.Listen(addrB)
	var got []int
	b.SetHandler(func(d netsim.Datagram) {
		if d.From != addrA || d.To != addrB {
			t.Fatalf("datagram %v -> %v", d.From, d.To)
		}
		var i int
		fmt.Sscan(string(d.Data), &i)
		got = append(got, i)
	})
	for i := 0; i < count; i++ {
		if err := a.WriteTo([]byte(fmt.Sprint(i)), addrB); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
		n.Deliver()
	}
	for {
		next, ok := n.Next()
		if !ok {
			break
		}
		clk.Advance(next.Sub(clk.Now()))
		n.Deliver()
	}
	return got, n.Stats()
}

func TestPerfectNetworkDeliversInOrder(t *testing.T) {
	got, st := run(t, 1, netsim.Faults{}, 100)
	for i, v := range got {
		if v != i {
			t.Fatalf("arrival %d is datagram %d", i, v)
		}
	}
	if len(got) != 100 || st.Sent != 100 || st.Delivered != 100 || st.Dropped != 0 {
		t.Errorf("got %d, stats %+v", len(got), st)
	}
}

func TestFaultsHappenAtTheirRates(t *testing.T) {
	f := netsim.Faults{Loss: 0.2, Duplicate: 0.1, Delay: 5 * time.Millisecond, Jitter: 20 * time.Millisecond}
	got, st := run(t, 42, f, 5000)
	if r := float64(st.Dropped) / 5000; math.Abs(r-0.2) > 0.03 {
		t.Errorf("loss rate %.3f, want about 0.2", r)
	}
	if r := float64(st.Duplicated) / float64(5000-st.Dropped); math.Abs(r-0.1) > 0.03 {
		t.Errorf("duplication rate %.3f, want about 0.1", r)
	}
	if len(got) != st.Delivered || st.Delivered != 5000-st.Dropped+st.Duplicated {
		t.Errorf("delivered %d, stats %+v", len(got), st)
	}
	reordered := 0
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			reordered++
		}
	}
	if reordered == 0 {
		t.Error("jitter of 20 ms over 1 ms spacing reordered nothing")
	}
}

func TestSameSeedSameRun(t *testing.T) {
	f := netsim.Faults{Loss: 0.3, Duplicate: 0.2, Jitter: 10 * time.Millisecond}
	a, _ := run(t, 7, f, 500)
	b, _ := run(t, 7, f, 500)
	c, _ := run(t, 8, f, 500)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed gave two different runs")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("two seeds gave the same run")
	}
}

func TestLinkFaultsAndEndpoints(t *testing.T) {
	clk := clock.NewFake()
	n := netsim.New(1, clk.Now)
	a, _ := n.Listen(addrA)
	b, _ := n.Listen(addrB)
	if _, err := n.Listen(addrA); !errors.Is(err, netsim.ErrAddrInUse) {
		t.Errorf("second Listen: %v", err)
	}
	n.SetLinkFaults(addrA, addrB, netsim.Faults{Loss: 1})
	_ = a.WriteTo([]byte("lost"), addrB)
	_ = b.WriteTo([]byte("kept"), addrA)
	_ = b.WriteTo([]byte("nobody"), netip.MustParseAddrPort("127.0.0.1:1"))
	n.Deliver()
	buf := make([]byte, 64)
	k, from, err := a.ReadFrom(buf)
	if err != nil || string(buf[:k]) != "kept" || from != addrB {
		t.Errorf("ReadFrom: %q from %v, %v", buf[:k], from, err)
	}
	if st := n.Stats(); st.Dropped != 1 || st.Unreachable != 1 || st.Delivered != 1 {
		t.Errorf("stats %+v", st)
	}
	// Close wakes a blocked reader and unbinds the address.
	done := make(chan error)
	go func() { _, _, err := b.ReadFrom(buf); done <- err }()
	b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("ReadFrom after Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not wake ReadFrom")
	}
	if err := b.WriteTo([]byte("x"), addrA); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteTo after Close: %v", err)
	}
	if _, err := n.Listen(addrB); err != nil {
		t.Errorf("address not free after Close: %v", err)
	}
}

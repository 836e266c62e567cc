package road

import (
	"fmt"
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// On a clean path every packet goes once: the meter counts what was sent,
// nothing resent, and the alives of presence management give a round trip
// equal to the network's delay both ways. Joins and allows are counted as
// events in the stats.
func TestMeterCleanPath(t *testing.T) {
	s := newSim(t, 1)
	s.net.SetFaults(netsim.Faults{Delay: 10 * time.Millisecond})
	alpha, beta, r := bootstrap(t, s, Timers{})
	o := beta.send(alpha, padded(rand.New(rand.NewSource(1)), 1, 5000), 0)
	s.runUntil(time.Minute, "delivered", func() bool { return o.reported })
	// The main, alpha, sends the alives (presence.go): its meter of beta
	// has their round trips.
	ra := alpha.byName["beta"]
	s.runUntil(time.Minute, "alives answered", func() bool { return ra.meter.samples >= 3 })
	m := r.meter
	if m.sent == 0 || m.resent != 0 {
		t.Errorf("sent %d, resent %d: want some sent and none resent", m.sent, m.resent)
	}
	if ra.meter.rtt != 20*time.Millisecond {
		t.Errorf("rtt %v, want the 20 ms of the path", ra.meter.rtt)
	}
	for _, st := range []*simStack{alpha, beta} {
		if st.stats["event_joined"] != 1 || st.stats["event_allowed"] != 1 {
			t.Errorf("%s: joined %d, allowed %d events counted, want 1 each", st.name, st.stats["event_joined"], st.stats["event_allowed"])
		}
	}
}

// Through a path losing a fifth of its packets the meter counts the
// packets sent again, so resent over sent estimates the loss.
func TestMeterLossyPath(t *testing.T) {
	s := newSim(t, 2)
	alpha, beta, r := bootstrap(t, s, Timers{})
	before := r.meter
	s.net.SetFaults(netsim.Faults{Loss: 0.2})
	o := beta.send(alpha, padded(rand.New(rand.NewSource(2)), 1, 200_000), 0)
	s.runUntil(time.Hour, "delivered", func() bool { return o.reported })
	if o.err != nil {
		t.Fatal(o.err)
	}
	sent, resent := r.meter.sent-before.sent, r.meter.resent-before.resent
	if resent == 0 || resent >= sent {
		t.Errorf("sent %d, resent %d through 20%% loss", sent, resent)
	}
}

// Meters and Depths read a running stack: a message sent over loopback
// shows in the sender's meter of its peer, with a round trip measured.
func TestStackMeters(t *testing.T) {
	p := newUDPPair(t, udpOptions{})
	defer p.cancel()
	d := p.beta.Transmit(padded(rand.New(rand.NewSource(3)), 1, 3000), p.uid, 0)
	select {
	case <-p.alpha.Receive():
	case <-time.After(30 * time.Second):
		t.Fatal("not received")
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	var got *RemoteMeter
	for _, m := range p.beta.Meters() {
		if m.UID == p.uid {
			got = &m
		}
	}
	if got == nil || got.Name != "alpha" || got.Sent == 0 || got.Samples == 0 || got.RTT <= 0 || got.Allowed != Yes {
		t.Fatalf("beta's meter of alpha: %+v", got)
	}
	if q := p.beta.Depths(); q.Received != 0 {
		t.Errorf("depths %+v: nothing was delivered to beta", q)
	}
	p.cancel()
	<-p.beta.Done()
	if m := p.beta.Meters(); m != nil {
		t.Errorf("a stopped stack's meters: %v", m)
	}
}

// BenchmarkMeters is what a scrape costs the road of a master with 10,000
// remotes: one turn of its loop copying their meters.
func BenchmarkMeters(b *testing.B) {
	p := newUDPPair(b, udpOptions{})
	defer p.cancel()
	p.alpha.do(func(c *core) {
		for i := range 10_000 {
			r := newRemote(uint32(100+i), netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), uint16(1000+i)))
			r.Name = fmt.Sprintf("m%05d_minion", i)
			c.addRemote(r)
		}
	})
	b.ResetTimer()
	for b.Loop() {
		if len(p.alpha.Meters()) < 10_000 {
			b.Fatal("remotes missing")
		}
	}
}

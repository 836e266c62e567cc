package road

import (
	"math/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// pairSized joins beta to alpha with the packet sizes each announces
// (-1: none, as the reference) and the path MTU both see (0: the system's).
func pairSized(t testing.TB, s *sim, alphaMax, betaMax, mtu int) (alpha, beta *simStack, r *Remote) {
	t.Helper()
	if alphaMax == 0 {
		alphaMax = JumboPacketSize
	}
	if betaMax == 0 {
		betaMax = JumboPacketSize
	}
	var path func(netip.Addr) int
	if mtu > 0 {
		path = func(netip.Addr) int { return mtu }
	}
	alpha = s.add(Config{Name: "alpha", Main: true, MaxPacketSize: alphaMax, PathMTU: path}, 7560, raet.AutoAlways)
	beta = s.add(Config{Name: "beta", MaxPacketSize: betaMax, PathMTU: path}, 7561, raet.AutoAlways)
	r = newRemote(0, alpha.conn.LocalAddr())
	beta.addRemote(r)
	beta.join(r, false, true)
	s.runUntil(time.Minute, "allowed", func() bool {
		rb := alpha.byName["beta"]
		return r.Allowed == Yes && rb != nil && rb.Allowed == Yes
	})
	return alpha, beta, r
}

// capture keeps every message datagram that reaches st.
func capture(st *simStack) *[][]byte {
	var got [][]byte
	st.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage {
			got = append(got, append([]byte(nil), d.Data...))
		}
		st.receive(d.From, d.Data)
	})
	return &got
}

// trayOf is the number of segments of the message beta is sending to r.
func trayOf(t testing.TB, r *Remote) int {
	t.Helper()
	for _, tx := range r.transactions {
		if mt, ok := tx.(*messenger); ok {
			return len(mt.packets)
		}
	}
	t.Fatal("no message under way")
	return 0
}

// A 10 MB message through a link losing 1% of datagrams both ways, with
// jitter that reorders, arrives whole; the segments sent stay within 1.2
// times the tray, whatever the segment size, burst limit or receiver (ours
// or one that answers as the reference does): the window halves on loss
// and only the segments listed missing go again.
func TestTenMegabytesThroughLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB in simulation")
	}
	rng := rand.New(rand.NewSource(16))
	m := padded(rng, 1, 10<<20)
	for _, c := range []struct {
		name  string
		max   int
		burst int
	}{
		{"reference-1KB", -1, 0},
		{"reference-receiver", -1, 0},
		{"reference-1KB-unlimited", -1, Unlimited},
		{"jumbo", 0, 0},
		{"path-1400", 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t, 16)
			mtu := 0
			if c.name == "path-1400" {
				mtu = 1400
			}
			alpha, beta, r := pairSized(t, s, c.max, c.max, mtu)
			// The reference's messengent lists all it lacks at each
			// asking, several resend packets in a row.
			alpha.resendAll = c.name == "reference-receiver"
			beta.cfg.BurstSize = c.burst
			if c.burst == Unlimited {
				beta.cfg.BurstSize = 0 // as newCore reads Unlimited
			}
			s.net.SetFaults(netsim.Faults{Loss: 0.01, Delay: time.Millisecond, Jitter: 200 * time.Microsecond})
			o := beta.send(alpha, m, 0)
			tray := trayOf(t, r)
			s.runUntil(10*time.Minute, "delivered", func() bool { return o.reported && len(alpha.received) == 1 })
			if o.err != nil || !checkPad(alpha.received[0].Body) {
				t.Fatalf("outcome %v, whole %v", o.err, len(alpha.received) == 1 && checkPad(alpha.received[0].Body))
			}
			sent := beta.stats["message_segment_tx"]
			t.Logf("%s: tray %d segments, sent %d (%.3f×), network %+v", c.name, tray, sent, float64(sent)/float64(tray), s.net.Stats())
			if float64(sent) > 1.2*float64(tray) {
				t.Errorf("sent %d segments for a tray of %d: more than 1.2×", sent, tray)
			}
		})
	}
}

// Toward an estate that announces nothing (the reference), a message is
// cut exactly as before: every datagram is what PackTrayCoat, the
// reference's cut, makes of the same coat, byte for byte.
func TestReferenceTrayUnchanged(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, c := range []struct{ alphaMax, betaMax int }{{-1, 0}, {0, -1}, {-1, -1}} {
		s := newSim(t, 1)
		alpha, beta, r := pairSized(t, s, c.alphaMax, c.betaMax, 0)
		if r.maxPacket != 0 && c.alphaMax < 0 {
			t.Fatalf("beta heard alpha announce %d", r.maxPacket)
		}
		got := capture(alpha)
		o := beta.send(alpha, padded(rng, 1, 20_000), 0)
		s.runUntil(time.Minute, "delivered", func() bool { return o.reported && len(alpha.received) == 1 })
		if o.err != nil || len(*got) < 20 {
			t.Fatalf("%+v: outcome %v, %d segments", c, o.err, len(*got))
		}
		var coat []byte
		var first wire.Head
		for i, d := range *got {
			p, err := wire.ParsePacket(d)
			if err != nil || p.SN != i {
				t.Fatalf("segment %d: %v (sn %d)", i, err, p.SN)
			}
			if i == 0 {
				first = p.Head
			}
			coat = append(coat, p.Coat()...)
		}
		h := first
		h.SN, h.SC, h.ML, h.SF, h.WF, h.PL, h.HL = 0, 1, 0, false, false, 0, 0
		want, err := wire.PackTrayCoat(h, coat, beta.signer)
		if err != nil || len(want) != len(*got) {
			t.Fatalf("%+v: repacked %d segments (%v), sent %d", c, len(want), err, len(*got))
		}
		for i, p := range want {
			sent, _ := wire.ParsePacket((*got)[i])
			if p.WF != sent.WF { // the burst's last asks for an answer
				p.WF = sent.WF
				if err := p.Repack(beta.signer); err != nil {
					t.Fatal(err)
				}
			}
			if string(p.Packed) != string((*got)[i]) {
				t.Fatalf("%+v: segment %d differs from the reference's cut:\n%q\n%q", c, i, p.Packed[:60], (*got)[i][:60])
			}
		}
	}
}

// Both ends announcing, the segments are as large as the path carries
// whole: up to the jumbo size on loopback, the MTU less 28 bytes of IPv4
// and UDP heads on a 1400-byte path; the join bodies said so.
func TestSegmentSizeFromPath(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, c := range []struct{ mtu, want int }{{0, JumboPacketSize}, {65536, JumboPacketSize}, {1400, 1372}, {9000, 8972}, {576, raet.UDPMaxPacketSize}} {
		s := newSim(t, 1)
		alpha, beta, r := pairSized(t, s, 0, 0, c.mtu)
		if r.maxPacket != JumboPacketSize || alpha.byName["beta"].maxPacket != JumboPacketSize {
			t.Fatalf("announced %d and %d, want %d", r.maxPacket, alpha.byName["beta"].maxPacket, JumboPacketSize)
		}
		got := capture(alpha)
		o := beta.send(alpha, padded(rng, 1, 300_000), 0)
		s.runUntil(time.Minute, "delivered", func() bool { return o.reported && len(alpha.received) == 1 })
		if o.err != nil || !checkPad(alpha.received[0].Body) {
			t.Fatalf("mtu %d: %v", c.mtu, o.err)
		}
		largest := 0
		for _, d := range *got {
			largest = max(largest, len(d))
		}
		// The reference's cut leaves some room unused; so does ours.
		if largest > c.want || largest < c.want-64 {
			t.Errorf("mtu %d: largest datagram %d, want at most %d and near it", c.mtu, largest, c.want)
		}
	}
}

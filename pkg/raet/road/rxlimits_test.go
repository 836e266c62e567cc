package road

import (
	"bytes"
	"math/rand"
	"runtime"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/internal/parts"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// forgedSegment is one segment of a message an accepted remote never means
// to finish: signed with its key, in its session, declaring sc segments of
// ml bytes.
func forgedSegment(t testing.TB, from *simStack, r *Remote, ti uint32, sn, sc, ml int) []byte {
	t.Helper()
	h := wire.Head{HK: from.cfg.HeadKind, BK: from.cfg.BodyKind, PK: raet.PcktMessage, TK: raet.TrnsMessage,
		SE: r.UID, DE: r.FUID, SI: r.SID, TI: ti, CK: raet.CoatNacl, FK: raet.FootNacl,
		SN: sn, SC: sc, ML: ml, SF: true, WF: true}
	p, err := wire.PackCoat(&h, bytes.Repeat([]byte{0xa5}, 800), from.signer)
	if err != nil {
		t.Fatal(err)
	}
	return p.Datagram()
}

// messengents counts the incoming messages a stack holds open for a remote.
func messengents(r *Remote) int {
	n := 0
	for _, t := range r.transactions {
		if _, ok := t.(*messengent); ok {
			n++
		}
	}
	return n
}

// An accepted estate that sends thousands of first segments, each
// declaring a message of many segments, holds at most MaxRxMessages of them
// open here; the rest are refused and counted. Another estate's messages
// pass meanwhile. Once the flooder falls silent its messages stall out and
// nothing more is sent for them.
func TestSegmentFloodBounded(t *testing.T) {
	s := newSim(t, 4)
	alpha := s.add(Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Manage: true, ManageCascade: true}, 7561, raet.AutoAlways)
	gamma := s.add(Config{Name: "gamma", Manage: true, ManageCascade: true}, 7562, raet.AutoAlways)
	rb, rg := beta.joinTo(alpha), gamma.joinTo(alpha)
	s.runUntil(time.Minute, "allowed", func() bool {
		ab, ag := alpha.byName["beta"], alpha.byName["gamma"]
		return rb.Allowed == Yes && rg.Allowed == Yes && ab != nil && ab.Allowed == Yes && ag != nil && ag.Allowed == Yes
	})
	s.quiesce(time.Minute)
	ab := alpha.byName["beta"]
	beta.ep.SetHandler(func(netsim.Datagram) {}) // the flooder answers nothing
	const flood = 3000
	for i := 0; i < flood; i++ {
		if err := beta.ep.WriteTo(forgedSegment(t, beta, rb, rb.nextTID(), 0, 100, 100*800), alpha.conn.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			o := gamma.send(alpha, padded(rand.New(rand.NewSource(int64(i))), i, 20000), 0)
			s.runUntil(time.Minute, "gamma's message", func() bool { return o.reported })
			if o.err != nil {
				t.Fatalf("gamma's message during the flood: %v", o.err)
			}
		}
	}
	s.runUntil(time.Minute, "flood taken", func() bool { return s.net.InFlight() == 0 })
	if n := messengents(ab); n > DefaultMaxRxMessages || ab.rx.open != n {
		t.Fatalf("%d incoming messages open for beta (counted %d), bound %d", n, ab.rx.open, DefaultMaxRxMessages)
	}
	if ab.rx.bytes > DefaultMaxRxMessages*800 || alpha.stats["message_rx_refused_open"] < flood-DefaultMaxRxMessages {
		t.Fatalf("beta holds %d bytes; stats %v", ab.rx.bytes, alpha.stats)
	}
	beta.ep.Close() // the flooder's address goes dead
	s.runFor(DefaultMessageStall + 5*time.Second)
	if ab.rx.open != 0 || ab.rx.bytes != 0 || messengents(ab) != 0 || alpha.stats["messengent_stalled"] != DefaultMaxRxMessages {
		t.Fatalf("after the stall: %d open, %d bytes, stats %v", ab.rx.open, ab.rx.bytes, alpha.stats)
	}
	asks := alpha.stats["message_more_ack"] + alpha.stats["message_resend_tx"]
	s.runFor(time.Minute)
	if more := alpha.stats["message_more_ack"] + alpha.stats["message_resend_tx"] - asks; more != 0 {
		t.Errorf("%d more acks or resends to the silent flooder", more)
	}
}

// Segments beyond MaxRxBytes refuse the message they belong to and free
// what it held; a message declaring more than the bound is refused at its
// first segment.
func TestSegmentBytesBounded(t *testing.T) {
	s := newSim(t, 5)
	alpha := s.add(Config{Name: "alpha", Main: true, MaxRxBytes: 8 << 10}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	rb := beta.joinTo(alpha)
	s.quiesce(time.Minute)
	beta.allow(rb, false)
	s.quiesce(time.Minute)
	ab := alpha.byName["beta"]
	beta.ep.SetHandler(func(netsim.Datagram) {})
	for range 3 {
		ti := rb.nextTID()
		for sn := range 5 {
			beta.ep.WriteTo(forgedSegment(t, beta, rb, ti, sn, 10, 10*800), alpha.conn.LocalAddr())
			s.runUntil(time.Minute, "segment taken", func() bool { return s.net.InFlight() == 0 })
			if ab.rx.bytes > 8<<10 || ab.rx.bytes != heldBytes(ab) {
				t.Fatalf("beta holds %d bytes (counted %d) after segment %d", heldBytes(ab), ab.rx.bytes, sn)
			}
		}
	}
	if alpha.stats["message_rx_refused_bytes"] == 0 {
		t.Errorf("no refusal counted: %v", alpha.stats)
	}
	open := ab.rx.open
	beta.ep.WriteTo(forgedSegment(t, beta, rb, rb.nextTID(), 0, 20, 9<<10), alpha.conn.LocalAddr())
	s.runUntil(time.Minute, "segment taken", func() bool { return s.net.InFlight() == 0 })
	if alpha.stats["message_rx_refused_size"] != 1 || ab.rx.open != open {
		t.Errorf("a message larger than the bound: open %d, stats %v", ab.rx.open, alpha.stats)
	}
}

// heldBytes sums the segment bytes of a remote's open incoming messages.
func heldBytes(r *Remote) int {
	n := 0
	for _, t := range r.transactions {
		if e, ok := t.(*messengent); ok {
			n += e.tray.Size()
		}
	}
	return n
}

// Gathering parts costs memory for the parts that came, not for the count
// the first one declared.
func TestPartsAllocateAsTheyArrive(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	trays := make([]parts.Parts, 100)
	for i := range trays {
		trays[i].Init(raet.MaxSegmentCount)
		trays[i].Put(raet.MaxSegmentCount-1, []byte("x"))
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 100<<10 {
		t.Errorf("100 trays of one segment allocated %d bytes", grown)
	}
	if m := trays[0].Missing(0, raet.MaxSegmentCount, raet.MaxMissedsResend); len(m) != raet.MaxMissedsResend {
		t.Errorf("missing: %d listed, want one resend's worth", len(m))
	}
}

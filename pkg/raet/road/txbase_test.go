package road

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// schedule runs a transaction's timers as its process would, retransmitting
// on every redo expiry until the overall timeout, and returns when it sent.
func schedule(timeout, redoMin, redoMax time.Duration) (sends []string, gaveUp string) {
	clk := clock.NewFake()
	start := clk.Now()
	c := newCore(Config{Name: "x", Clock: clk})
	b := newTxBase(c, newRemote(2, peerAddr), raet.TrnsJoin, false, 0, 1, timeout, redoMin, redoMax)
	at := func() string { return fmt.Sprint(clk.Now().Sub(start).Seconds()) }
	b.redo.restart(clk.Now()) // the first transmission
	sends = append(sends, at())
	for {
		d := b.deadline()
		clk.Advance(d.Sub(clk.Now()))
		now := clk.Now()
		if b.timedOut(now) {
			return sends, at()
		}
		if b.redo.expired(now) {
			b.redo.backoff(now)
			sends = append(sends, at())
		}
	}
}

// The retransmission schedules of raet-protocol.md section 5.
func TestRedoSchedules(t *testing.T) {
	sends, end := schedule(5*time.Second, time.Second, 4*time.Second) // Joiner
	if fmt.Sprint(sends) != "[0 1 3]" || end != "5" {
		t.Errorf("joiner sends at %v, gives up at %s; want [0 1 3] and 5", sends, end)
	}
	sends, end = schedule(4*time.Second, 250*time.Millisecond, time.Second) // Allower
	if fmt.Sprint(sends) != "[0 0.25 0.75 1.75 2.75 3.75]" || end != "4" {
		t.Errorf("allower sends at %v, gives up at %s", sends, end)
	}
}

// A transaction's coat is sealed with the session's box, made once.
func TestPackUsesSessionBox(t *testing.T) {
	signer, priv := testKeys(t, 0x33)
	c := newCore(Config{Name: "main", Signer: signer, Privateer: priv, BodyKind: raet.BodyMsgpack, Clock: clock.NewFake()})
	r := newRemote(2, peerAddr)
	r.FUID = 3
	if err := r.rekey(); err != nil {
		t.Fatal(err)
	}
	theirs, _ := raet.GeneratePrivateer()
	r.publee = theirs.Publican()
	b := newTxBase(c, r, raet.TrnsMessage, false, 1, r.nextTID(), 0, 200*time.Millisecond, 500*time.Millisecond)

	x0 := raet.BoxPrecomputations()
	var p *wire.Packet
	for i := 0; i < 10; i++ {
		var err error
		if p, err = b.pack(b.head(raet.PcktMessage, raet.CoatNacl, raet.FootNacl), body.Map{{Key: "n", Value: i}}); err != nil {
			t.Fatal(err)
		}
	}
	if d := raet.BoxPrecomputations() - x0; d != 1 {
		t.Errorf("%d X25519 for 10 packets of one session, want 1", d)
	}
	// The stack packs on its loop and signs when the packet is first sent.
	if !bytes.Equal(p.Foot(), make([]byte, raet.SignatureSize)) {
		t.Error("the foot was signed before the send")
	}
	back, _ := wire.ParsePacket(p.Datagram())
	ver, _ := raet.NewVerifier(signer.VerKey())
	opener, _ := raet.NewBox(theirs, r.privee.Publican())
	plain, err := back.Plain(opener)
	if err != nil || back.Verify(ver) != nil || back.SE != 2 || back.DE != 3 || back.TI != 1 || back.SI != 1 {
		t.Fatalf("packet %+v: %v", back.Head, err)
	}
	if m, _ := body.Decode(raet.BodyMsgpack, plain); fmt.Sprint(m.Get("n")) != "9 true" {
		t.Errorf("body %v", m)
	}
	// A new session's keys drop the old box; without the remote's key there is no session.
	if err := r.rekey(); err != nil || r.box != nil {
		t.Fatalf("rekey kept the box: %v", err)
	}
	if _, err := b.pack(b.head(raet.PcktMessage, raet.CoatNacl, raet.FootNacl), body.Map{{Key: "n", Value: 1}}); err == nil {
		t.Error("packed a coat with no session")
	}
}

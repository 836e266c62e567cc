package wire_test

import (
	"bytes"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// A packet packed to be signed later carries a zeroed foot until its first
// send, then the very signature Pack would have made at once (Ed25519 is
// deterministic), made once however often it is asked for.
func TestPackLaterSignsOnFirstSend(t *testing.T) {
	signer := mustSigner(t, 0x11)
	ver, err := raet.NewVerifier(signer.VerKey())
	if err != nil {
		t.Fatal(err)
	}
	head := func() *wire.Head {
		return &wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktMessage, TK: raet.TrnsMessage,
			SE: 2, DE: 3, SI: 1, TI: 7, FK: raet.FootNacl}
	}
	now, err := wire.Pack(head(), []byte(`{"n":1}`), nil, signer)
	if err != nil {
		t.Fatal(err)
	}
	if now.Later() != nil {
		t.Fatal("Pack left a foot to sign")
	}
	later, err := wire.PackLater(head(), []byte(`{"n":1}`), nil, signer)
	if err != nil {
		t.Fatal(err)
	}
	if later.Later() == nil {
		t.Fatal("PackLater signed at once")
	}
	if !bytes.Equal(later.Foot(), make([]byte, raet.SignatureSize)) {
		t.Fatal("the foot is written before the first send")
	}
	first := later.Datagram()
	if !bytes.Equal(first, now.Packed) {
		t.Fatalf("signed later:\n%q\nsigned at once:\n%q", first, now.Packed)
	}
	if again := later.Later().Sign(); &again[0] != &first[0] || !bytes.Equal(again, first) {
		t.Fatal("a second send signed again or copied the datagram")
	}
	if err := later.Verify(ver); err != nil {
		t.Fatalf("the packet signed later does not verify: %v", err)
	}

	// Repacking later (a retransmission with a new head) keeps the coat and
	// signs the new head on its first send.
	later.AF = true
	if err := later.RepackLater(signer); err != nil {
		t.Fatal(err)
	}
	if later.Later() == nil {
		t.Fatal("RepackLater signed at once")
	}
	p, err := wire.ParsePacket(later.Datagram())
	if err != nil {
		t.Fatal(err)
	}
	if !p.AF || string(p.Coat()) != `{"n":1}` || p.Verify(ver) != nil {
		t.Fatalf("repacked later: af %v coat %q", p.AF, p.Coat())
	}
}

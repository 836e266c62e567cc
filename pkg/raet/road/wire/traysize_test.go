package wire_test

import (
	"bytes"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// PackTrayLaterSize at or below the reference's 1 KB cuts exactly as
// PackTrayLater; larger, its datagrams stay within the size, fewer, and
// join again to the same coat.
func TestPackTrayLaterSize(t *testing.T) {
	signer, _ := testutil.NamedKeys(t, "wire/size")
	ver, _ := raet.NewVerifier(signer.VerKey())
	h := wire.Head{PK: raet.PcktMessage, TK: raet.TrnsMessage, SE: 2, DE: 3, SI: 4, TI: 5, BK: raet.BodyJSON, FK: raet.FootNacl}
	plain := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // 320,000 bytes
	ref, err := wire.PackTrayLater(h, plain, nil, signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 500, raet.UDPMaxPacketSize} {
		got, err := wire.PackTrayLaterSize(h, plain, nil, signer, size)
		if err != nil || len(got) != len(ref) {
			t.Fatalf("size %d: %d packets (%v), want %d", size, len(got), err, len(ref))
		}
		for i := range got {
			if !bytes.Equal(got[i].Datagram(), ref[i].Datagram()) {
				t.Fatalf("size %d: segment %d differs from PackTrayLater's", size, i)
			}
		}
	}
	for _, size := range []int{1372, 8972, 65507} {
		got, err := wire.PackTrayLaterSize(h, plain, nil, signer, size)
		if err != nil {
			t.Fatal(err)
		}
		var rx wire.RxTray
		var coat []byte
		for _, p := range got {
			d := p.Datagram()
			if len(d) > size || len(d) < size-64 && p.SN < p.SC-1 {
				t.Fatalf("size %d: segment %d is %d bytes", size, p.SN, len(d))
			}
			q, err := wire.ParsePacket(d)
			if err != nil {
				t.Fatalf("size %d: segment %d: %v", size, p.SN, err)
			}
			if err := q.Verify(ver); err != nil {
				t.Fatalf("size %d: segment %d: %v", size, p.SN, err)
			}
			if coat, err = rx.Add(q); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(coat, plain) || len(got) >= len(ref) {
			t.Fatalf("size %d: %d segments, coat whole %v", size, len(got), bytes.Equal(coat, plain))
		}
		// A flag set again keeps the size (a retransmission's af).
		p := got[0]
		p.AF = true
		if err := p.RepackLater(signer); err != nil || len(p.Datagram()) != len(got[0].Datagram()) {
			t.Fatalf("size %d: repack: %v", size, err)
		}
	}
}

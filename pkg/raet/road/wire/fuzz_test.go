package wire_test

import (
	"bytes"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// seedDatagrams adds every captured datagram to the corpus.
func seedDatagrams(f *testing.F) [][]byte {
	var all [][]byte
	for _, suffix := range []string{"", "-json"} {
		ds, _ := testvectors.RoadExchange(f, suffix)
		for _, d := range ds {
			all = append(all, d.Bytes(f))
		}
	}
	for _, p := range testvectors.Packets(f) {
		all = append(all, testvectors.Hex(f, p.Hex))
	}
	all = append(all,
		[]byte(`{"ri":"RAET","pl":"0000076","hl":"42","fg":"00","hk":1,"bk":1}`+"\r\n\r\n"+`{"msg":"Hello Raet World","extra":"Goodby Big Moon"}`),
		[]byte("ri RAET\npl 0040\nhl 22\nfg 00\nbk 2\n\nThis is a fine kettle of fish."))
	for _, d := range all {
		f.Add(d)
	}
	return all
}

// sameHead compares heads except dt, which a RAET head writes with six
// decimals and so cannot always carry back what it read.
func sameHead(a, b wire.Head) bool {
	a.DT, b.DT = 0, 0
	return a == b
}

// A head that parses packs again into a head that parses the same.
func FuzzParseHead(f *testing.F) {
	seedDatagrams(f)
	signer := mustSigner(f, 0x11)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := wire.ParseHead(b)
		if err != nil {
			if raet.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		coat := make([]byte, max(0, h.PL-h.HL-h.FK.FootSize()))
		again := h
		p, err := wire.PackCoat(&again, coat, signer)
		if err != nil {
			return // a head may read but not pack: a kind not implemented, a size too large
		}
		back, err := wire.ParseHead(p.Packed)
		if err != nil {
			t.Fatalf("repacked head does not parse: %v\n%q", err, p.Packed)
		}
		h.PL, h.HL, back.PL, back.HL = 0, 0, 0, 0
		if !sameHead(h, back) {
			t.Fatalf("head changed in a round trip:\n%+v\n%+v", h, back)
		}
	})
}

// A datagram that parses can be verified and opened without panicking, and
// repacks into a datagram that parses the same.
func FuzzParsePacket(f *testing.F) {
	seedDatagrams(f)
	signer := mustSigner(f, 0x11)
	ver, _ := raet.NewVerifier(signer.VerKey())
	box := mustBox(f, mustPrivateer(f, 0x22), mustPrivateer(f, 0x44))
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := append([]byte(nil), b...)
		p, err := wire.ParsePacket(b)
		if err != nil {
			if raet.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		_ = p.Verify(ver)
		if !bytes.Equal(p.Packed, orig) {
			t.Fatal("Verify changed the datagram")
		}
		_, _ = p.Plain(box)
		h := p.Head
		q, err := wire.PackCoat(&h, p.Coat(), signer)
		if err != nil {
			t.Fatalf("a parsed packet does not repack: %v", err)
		}
		back, err := wire.ParsePacket(q.Packed)
		if err != nil {
			t.Fatalf("repacked packet does not parse: %v", err)
		}
		if !sameHead(back.Head, h) || !bytes.Equal(back.Coat(), p.Coat()) {
			t.Fatalf("packet changed in a round trip")
		}
		if err := back.Verify(ver); err != nil && p.Signed() {
			t.Fatalf("repacked packet does not verify: %v", err)
		}
	})
}

// traySeparator splits one fuzz input into several datagrams.
var traySeparator = []byte("\xff\x00SEG\x00\xff")

// Any sequence of datagrams fed to one tray either completes it with a coat
// of the stated length or is refused; nothing panics.
func FuzzRxTray(f *testing.F) {
	all := seedDatagrams(f)
	// The captured segmented messages, in order and shuffled.
	var segs [][]byte
	for _, d := range all {
		if p, err := wire.ParsePacket(d); err == nil && p.Count() > 1 {
			segs = append(segs, d)
		}
	}
	f.Add(bytes.Join(segs[:4], traySeparator))
	f.Add(bytes.Join([][]byte{segs[3], segs[1], segs[0], segs[1], segs[2]}, traySeparator))
	f.Add(bytes.Join([][]byte{segs[0], segs[5], segs[2]}, traySeparator))
	f.Fuzz(func(t *testing.T, in []byte) {
		var tray wire.RxTray
		for _, d := range bytes.Split(in, traySeparator) {
			p, err := wire.ParsePacket(d)
			if err != nil {
				continue
			}
			coat, err := tray.Add(p)
			if err != nil {
				if raet.CodeOf(err) == "" {
					t.Fatalf("error without a code: %v", err)
				}
				continue
			}
			if coat != nil {
				h := tray.Head()
				if h.Count() > 1 && len(coat) != h.ML {
					t.Fatalf("complete coat of %d bytes, head says %d", len(coat), h.ML)
				}
				if !tray.Complete() || len(tray.Missing(0, -1)) != 0 {
					t.Fatal("a complete tray reports missing segments")
				}
			}
		}
	})
}

package wire_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// A message packet of about 1 KB: a msgpack body in a nacl coat, signed,
// filling a road packet to the last byte the reference allows.
type benchSession struct {
	signer *raet.Signer
	ver    *raet.Verifier
	sealer *raet.Box
	opener *raet.Box
	head   wire.Head
	plain  []byte
	packed []byte
}

func newBenchSession(tb testing.TB) *benchSession {
	s := &benchSession{signer: mustSigner(tb, 0x11)}
	s.ver, _ = raet.NewVerifier(s.signer.VerKey())
	s.sealer = mustBox(tb, mustPrivateer(tb, 0x22), mustPrivateer(tb, 0x44))
	s.opener = mustBox(tb, mustPrivateer(tb, 0x44), mustPrivateer(tb, 0x22))
	s.head = wire.Head{SE: 2, DE: 3, SI: 7, TI: 0x1234, BK: raet.BodyMsgpack, CK: raet.CoatNacl, FK: raet.FootNacl, WF: true}
	for n := 100; ; n++ {
		m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: []any{"minion1", nil, "remote_cmd"}},
			{Key: "dst", Value: []any{"master", nil, "fun"}}}}, {Key: "pad", Value: strings.Repeat("x", n)}}
		plain, err := body.Encode(raet.BodyMsgpack, m)
		if err != nil {
			tb.Fatal(err)
		}
		h := s.head
		p, err := wire.Pack(&h, plain, s.sealer, s.signer)
		if err != nil {
			break
		}
		s.plain, s.packed = plain, p.Packed
	}
	if len(s.packed) < 1000 || len(s.packed) > raet.UDPMaxPacketSize {
		tb.Fatalf("bench packet of %d bytes", len(s.packed))
	}
	return s
}

// compare runs subject and base in alternating batches for b.N iterations
// each, so that noise on a busy machine falls on both alike, and reports
// subject's ns/op, base's ns/op and their ratio.
func compare(b *testing.B, base, subject func()) {
	b.Helper()
	const batch = 64
	var tb, ts time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		n := min(batch, b.N-done)
		t0 := time.Now()
		for i := 0; i < n; i++ {
			base()
		}
		t1 := time.Now()
		for i := 0; i < n; i++ {
			subject()
		}
		tb += t1.Sub(t0)
		ts += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "subject-ns/op")
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "base-ns/op")
	b.ReportMetric(float64(ts)/float64(tb), "ratio")
}

// BenchmarkPackSign packs and signs the packet, its coat sealed with the
// session's box, against three floors: a bare crypto/ed25519 signature of
// the same bytes (the yardstick), the voi signature the codec uses,
// and all the crypto a packet needs (that signature and the box seal).
func BenchmarkPackSign(b *testing.B) {
	s := newBenchSession(b)
	std := ed25519.NewKeyFromSeed(s.signer.Seed())
	var nonce [raet.NonceSize]byte
	coat := make([]byte, 0, len(s.plain)+raet.CoatOverheadNacl)
	pack := func() {
		h := s.head
		if _, err := wire.Pack(&h, s.plain, s.sealer, s.signer); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("vs-stdlib-sign", func(b *testing.B) {
		x0 := raet.BoxPrecomputations()
		b.ReportAllocs()
		compare(b, func() { ed25519.Sign(std, s.packed) }, pack)
		b.ReportMetric(float64(raet.BoxPrecomputations()-x0)/float64(b.N), "x25519/op")
	})
	b.Run("vs-voi-sign", func(b *testing.B) {
		compare(b, func() { s.signer.Sign(s.packed) }, pack)
	})
	b.Run("vs-sign-and-seal", func(b *testing.B) {
		compare(b, func() {
			s.signer.Sign(s.packed)
			s.sealer.SealNonce(coat[:0], s.plain, &nonce)
		}, pack)
	})
}

// BenchmarkParseVerifyOpen parses the packet, verifies its signature and
// opens its coat, against three floors: a bare crypto/ed25519 verification
// (the yardstick), the verification the codec uses (voi, expanded
// key, libsodium's rules), and all the crypto a packet needs (that
// verification and the box open).
func BenchmarkParseVerifyOpen(b *testing.B) {
	s := newBenchSession(b)
	pub := ed25519.PublicKey(s.signer.VerKey())
	sig := s.packed[len(s.packed)-raet.SignatureSize:]
	blank := append(append([]byte{}, s.packed[:len(s.packed)-raet.SignatureSize]...), make([]byte, raet.SignatureSize)...)
	p0, _ := wire.ParsePacket(s.packed)
	coat := p0.Coat()
	plain := make([]byte, 0, len(coat))
	open := func() {
		p, err := wire.ParsePacket(s.packed)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(s.ver); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Plain(s.opener); err != nil {
			b.Fatal(err)
		}
	}
	verify := func() {
		if !s.ver.Verify(blank, sig) {
			b.Fatal("bad signature")
		}
	}
	b.Run("vs-stdlib-verify", func(b *testing.B) {
		x0 := raet.BoxPrecomputations()
		b.ReportAllocs()
		compare(b, func() {
			if !ed25519.Verify(pub, blank, sig) {
				b.Fatal("bad signature")
			}
		}, open)
		b.ReportMetric(float64(raet.BoxPrecomputations()-x0)/float64(b.N), "x25519/op")
	})
	b.Run("vs-voi-verify", func(b *testing.B) {
		compare(b, verify, open)
	})
	b.Run("vs-verify-and-open", func(b *testing.B) {
		compare(b, func() {
			verify()
			if _, err := s.opener.Open(plain[:0], coat); err != nil {
				b.Fatal(err)
			}
		}, open)
	})
}

// The codec's own cost without the crypto, for profiling.
func BenchmarkParsePacket(b *testing.B) {
	s := newBenchSession(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := wire.ParsePacket(s.packed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPackUnsigned(b *testing.B) {
	s := newBenchSession(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h := s.head
		h.FK = raet.FootNada
		if _, err := wire.Pack(&h, s.plain, s.sealer, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// Packing and opening many packets with one session's boxes computes no
// X25519 after the boxes exist.
func TestNoX25519PerPacket(t *testing.T) {
	s := newBenchSession(t)
	x0 := raet.BoxPrecomputations()
	for i := 0; i < 200; i++ {
		h := s.head
		p, err := wire.Pack(&h, s.plain, s.sealer, s.signer)
		if err != nil {
			t.Fatal(err)
		}
		back, err := wire.ParsePacket(p.Packed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := back.Plain(s.opener); err != nil {
			t.Fatal(err)
		}
	}
	if d := raet.BoxPrecomputations() - x0; d != 0 {
		t.Errorf("%d X25519 computations for 200 packets, want 0", d)
	}
	// And making a box does count one, so the check above can fail.
	mustBox(t, mustPrivateer(t, 1), mustPrivateer(t, 2))
	if raet.BoxPrecomputations() == x0 {
		t.Error("NewBox is not counted")
	}
}

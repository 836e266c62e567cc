package raet_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The numbered kinds go on the wire; their values are the reference's.
func TestKindValues(t *testing.T) {
	for _, c := range []struct {
		got  fmt.Stringer
		val  int
		name string
	}{
		{raet.HeadJSON, 1, "json"}, {raet.HeadUnknown, 255, "unknown"},
		{raet.BodyMsgpack, 3, "msgpack"}, {raet.BodyRaw, 2, "raw"},
		{raet.CoatNacl, 1, "nacl"}, {raet.FootNacl, 1, "nacl"}, {raet.FootSHA2, 2, "sha2"},
		{raet.TrnsAllow, 3, "allow"}, {raet.TrnsAlive, 4, "alive"},
		{raet.PcktUnjoined, 9, "unjoined"}, {raet.PcktRenew, 11, "renew"}, {raet.PcktPend, 14, "pend"}, {raet.PcktDone, 15, "done"},
		{raet.Rejected, 2, "rejected"}, {raet.AutoOnce, 1, "once"}, {raet.PackMsgpack, 1, "pack"},
	} {
		if c.got.String() != c.name || fmt.Sprintf("%d", c.got) != fmt.Sprint(c.val) {
			t.Errorf("%v: value %d name %q, want %d %q", c.got, c.got, c.got.String(), c.val, c.name)
		}
	}
	if raet.PcktKind(16).String() != "unknown(16)" || raet.PcktKind(16).Known() {
		t.Errorf("packet kind 16: %s", raet.PcktKind(16))
	}
	if m, err := raet.ParseAutoMode("always"); err != nil || m != raet.AutoAlways {
		t.Errorf("ParseAutoMode(always) = %v, %v", m, err)
	}
	if _, err := raet.ParseAutoMode("sometimes"); err == nil {
		t.Error("ParseAutoMode accepted sometimes")
	}
	if raet.FootNacl.FootSize() != 64 || raet.CoatNacl.TailSize() != 24 || raet.FootNada.FootSize() != 0 {
		t.Error("foot or tail sizes differ from the reference")
	}
	if raet.HelloSize != 200 || raet.CookieSize != 104 || raet.InitiateSize != 328 || raet.CookieStuffSize != 64 || raet.InitiateStuffSize != 232 {
		t.Error("allow body sizes differ from the struct packers")
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", raet.Errorf(raet.CodeSignature, "failed verification: %s", "key invalid"))
	if !errors.Is(err, raet.ErrSignature) || errors.Is(err, raet.ErrCoat) {
		t.Errorf("errors.Is by code does not hold for %v", err)
	}
	if raet.CodeOf(err) != raet.CodeSignature || raet.CodeOf(errors.New("x")) != "" {
		t.Errorf("CodeOf(%v) = %q", err, raet.CodeOf(err))
	}
	if err.Error() != "wrapped: raet: failed verification: key invalid" {
		t.Errorf("message %q", err)
	}
}

func TestKeyForms(t *testing.T) {
	raw := bytes.Repeat([]byte{0x11}, 32)
	a, err := raet.NewSigner(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := raet.NewSigner([]byte(hex.EncodeToString(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if a.VerHex() != b.VerHex() || a.SeedHex() != hex.EncodeToString(raw) {
		t.Error("raw and hex seeds give different keys")
	}
	for _, bad := range [][]byte{nil, make([]byte, 31), make([]byte, 33), []byte(hex.EncodeToString(raw)[:63] + "g")} {
		if _, err := raet.NewSigner(bad); !errors.Is(err, raet.ErrKey) {
			t.Errorf("seed of %d bytes: %v", len(bad), err)
		}
	}
	if _, err := raet.KeyHex("11"); !errors.Is(err, raet.ErrKey) {
		t.Errorf("short hex: %v", err)
	}
	g1, _ := raet.GenerateSigner()
	g2, _ := raet.GenerateSigner()
	if g1.SeedHex() == g2.SeedHex() {
		t.Error("two random seeds are equal")
	}
}

func TestSignVerify(t *testing.T) {
	s, _ := raet.NewSigner(bytes.Repeat([]byte{0x11}, 32))
	v, err := raet.NewVerifier(s.VerKey())
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("ri RAET\n\n")
	sig := s.Sign(msg)
	if !v.Verify(msg, sig) {
		t.Fatal("own signature does not verify")
	}
	if v.Verify(append(msg, 'x'), sig) || v.Verify(msg, sig[:63]) {
		t.Error("verified a changed message or a short signature")
	}
	// S + L (the group order) is the same signature to a lax verifier;
	// libsodium refuses a non-canonical S, and so must we.
	l := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	mall := append([]byte{}, sig...)
	var carry uint16
	for i := 0; i < 32; i++ {
		sum := uint16(mall[32+i]) + uint16(l[i]) + carry
		mall[32+i], carry = byte(sum), sum>>8
	}
	if carry == 0 && v.Verify(msg, mall) {
		t.Error("verified a signature with a non-canonical S")
	}
	// The identity point is a small-order public key: anything "verifies"
	// under a lax check. libsodium refuses such keys.
	id := make([]byte, 32)
	id[0] = 1
	small, err := raet.NewVerifier(id)
	if err == nil && small.Verify(msg, append(id, make([]byte, 32)...)) {
		t.Error("verified under a small-order public key")
	}
}

func TestBox(t *testing.T) {
	a, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x55}, 32))
	b, _ := raet.NewPrivateer(bytes.Repeat([]byte{0x66}, 32))
	ab, err := raet.NewBox(a, b.Publican())
	if err != nil {
		t.Fatal(err)
	}
	ba, _ := raet.NewBox(b, a.Publican())
	coat, err := ab.Seal(nil, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if len(coat) != 5+raet.CoatOverheadNacl {
		t.Errorf("coat of %d bytes", len(coat))
	}
	plain, err := ba.Open(nil, coat)
	if err != nil || string(plain) != "hello" {
		t.Errorf("opened %q, %v", plain, err)
	}
	coat[0] ^= 1
	if _, err := ba.Open(nil, coat); !errors.Is(err, raet.ErrCoat) {
		t.Errorf("opened a changed coat: %v", err)
	}
	if _, err := ba.Open(nil, coat[:39]); !errors.Is(err, raet.ErrCoat) {
		t.Errorf("opened a short coat: %v", err)
	}
	// Two seals never share a nonce.
	c1, _ := ab.Seal(nil, []byte("x"))
	c2, _ := ab.Seal(nil, []byte("x"))
	if bytes.Equal(c1, c2) {
		t.Error("two seals of one message are equal: nonce reused")
	}
	// A small-order public key gives an all-zero shared key: refused.
	zero, _ := raet.NewPublican(make([]byte, 32))
	if _, err := raet.NewBox(a, zero); !errors.Is(err, raet.ErrKey) {
		t.Errorf("box with a zero public key: %v", err)
	}
}

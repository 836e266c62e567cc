package testutil

import (
	"crypto/sha256"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

func TestNamedKeysAreDerivedFromTheLabel(t *testing.T) {
	s1, p1 := NamedKeys(t, "sim/a")
	s2, p2 := NamedKeys(t, "sim/a")
	if s1.VerHex() != s2.VerHex() || p1.PubHex() != p2.PubHex() {
		t.Fatal("the same label gave different keys")
	}
	seed := sha256.Sum256([]byte("sim/a/sign"))
	want, err := raet.NewSigner(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	if s1.VerHex() != want.VerHex() {
		t.Errorf("signer %s, want the one seeded by sha256(label/sign) %s", s1.VerHex(), want.VerHex())
	}
	pri := sha256.Sum256([]byte("sim/a/pri"))
	wantP, err := raet.NewPrivateer(pri[:])
	if err != nil {
		t.Fatal(err)
	}
	if p1.PubHex() != wantP.PubHex() {
		t.Errorf("privateer %s, want the one from sha256(label/pri) %s", p1.PubHex(), wantP.PubHex())
	}
	if s3, _ := NamedKeys(t, "sim/b"); s3.VerHex() == s1.VerHex() {
		t.Error("two labels gave the same keys")
	}
}

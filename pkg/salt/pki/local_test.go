package pki

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/vmihailenco/msgpack/v5"
)

func TestLocalKeyCreatedOnceAndReloaded(t *testing.T) {
	s := openStore(t, Options{})
	if _, err := s.LoadLocal(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadLocal before creation = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(s.LocalPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("LoadLocal created local.key")
	}
	l, err := s.LoadOrCreateLocal()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.LocalPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o400 {
		t.Errorf("local.key mode %o, want 0400", fi.Mode().Perm())
	}
	b, err := os.ReadFile(s.LocalPath())
	if err != nil {
		t.Fatal(err)
	}
	// The bytes are Salt's: {priv, sign} as raw strings, the hex of the
	// keys in use.
	want := mapOf(fixstr("priv"), str16(l.Privateer.Hex()), fixstr("sign"), str16(l.Signer.SeedHex()))
	if !bytes.Equal(b, want) {
		t.Errorf("local.key\n got %x\nwant %x", b, want)
	}
	var m map[string]string
	if err := msgpack.Unmarshal(b, &m); err != nil || len(m) != 2 || len(m["priv"]) != 64 || len(m["sign"]) != 64 {
		t.Errorf("local.key decodes to %v, %v", m, err)
	}

	again, err := s.LoadOrCreateLocal()
	if err != nil {
		t.Fatal(err)
	}
	if again.Signer.SeedHex() != l.Signer.SeedHex() || again.Privateer.Hex() != l.Privateer.Hex() ||
		again.PubHex() != l.PubHex() || again.VerHex() != l.VerHex() {
		t.Error("reloading local.key gave different keys")
	}
	b2, _ := os.ReadFile(s.LocalPath())
	if !bytes.Equal(b, b2) {
		t.Error("reloading rewrote local.key")
	}
	// A second store on the same pki_dir (a restarted daemon) gets them too.
	s2, err := Open(s.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s2.LoadOrCreateLocal()
	if err != nil || l2.VerHex() != l.VerHex() {
		t.Errorf("restart: %v, %v", l2, err)
	}
	// Two fresh pki_dirs get different keys.
	other, err := openStore(t, Options{}).LoadOrCreateLocal()
	if err != nil || other.VerHex() == l.VerHex() || other.PubHex() == l.PubHex() {
		t.Error("two stores created the same keys")
	}
	noTemps(t, s)
}

// A local.key written by Salt (with known keys) loads, and the public keys
// derived from it are those raet derives.
func TestLocalKeyFromSalt(t *testing.T) {
	priv := strings.Repeat("fedcba9876543210", 4)
	sign := strings.Repeat("0123456789abcdef", 4)
	s := openStore(t, Options{})
	if err := os.WriteFile(s.LocalPath(), mapOf(fixstr("priv"), str16(priv), fixstr("sign"), str16(sign)), 0o400); err != nil {
		t.Fatal(err)
	}
	l, err := s.LoadOrCreateLocal()
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := raet.NewSigner([]byte(sign))
	privateer, _ := raet.NewPrivateer([]byte(priv))
	if l.Signer.SeedHex() != sign || l.Privateer.Hex() != priv || l.VerHex() != signer.VerHex() || l.PubHex() != privateer.PubHex() {
		t.Errorf("loaded %s/%s, want %s/%s", l.PubHex(), l.VerHex(), privateer.PubHex(), signer.VerHex())
	}
	sum := sha256.Sum256([]byte("pub: " + privateer.PubHex() + "\nverify: " + signer.VerHex()))
	if l.Fingerprint() != hex.EncodeToString(sum[:]) {
		t.Errorf("local fingerprint %s", l.Fingerprint())
	}
}

func TestCorruptLocalKeyIsNeverReplaced(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"garbage", []byte("garbage")},
		{"empty", nil},
		{"no sign", mapOf(fixstr("priv"), str16(good))},
		{"short priv", mapOf(fixstr("priv"), str16(good[:10]), fixstr("sign"), str16(good))},
		{"sign not hex", mapOf(fixstr("priv"), str16(good), fixstr("sign"), str16(strings.Repeat("q", 64)))},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, Options{})
			if err := os.WriteFile(s.LocalPath(), c.b, 0o400); err != nil {
				t.Fatal(err)
			}
			_, err := s.LoadOrCreateLocal()
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), s.LocalPath()) {
				t.Fatalf("LoadOrCreateLocal = %v, want ErrInvalidKey naming local.key", err)
			}
			if b, _ := os.ReadFile(s.LocalPath()); !bytes.Equal(b, c.b) {
				t.Error("corrupt local.key was replaced")
			}
		})
	}
}

// Daemons starting at once on one pki_dir end up with one identity.
func TestConcurrentLocalKeyCreation(t *testing.T) {
	s := openStore(t, Options{})
	const n = 16
	vers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			l, err := s.LoadOrCreateLocal()
			if err != nil {
				t.Error(err)
				return
			}
			vers[i] = l.VerHex()
		})
	}
	wg.Wait()
	l, err := s.LoadLocal()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vers {
		if v != l.VerHex() {
			t.Errorf("goroutine %d uses %s, local.key holds %s", i, v, l.VerHex())
		}
	}
	noTemps(t, s)
}

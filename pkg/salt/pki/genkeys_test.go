package pki

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// TestGenKeysPreseed: the two files GenKeys writes are what a minion and a
// master load. NAME.key installed as the minion's local.key is loaded, not
// replaced; NAME.pub installed as the master's accepted/NAME is read as
// that minion's accepted key, and the master accepts a join with the
// generated keys.
func TestGenKeysPreseed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gen", "keys") // created by GenKeys
	g, err := GenKeys(dir, "web1")
	if err != nil {
		t.Fatal(err)
	}
	if g.Kept || g.KeyPath != filepath.Join(dir, "web1.key") || g.PubPath != filepath.Join(dir, "web1.pub") {
		t.Errorf("generated %+v", g)
	}
	for path, mode := range map[string]os.FileMode{g.KeyPath: 0o400, g.PubPath: 0o644} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, %v; want %o", path, fi.Mode(), err, mode)
		}
	}
	keyBytes, _ := os.ReadFile(g.KeyPath)
	pubBytes, _ := os.ReadFile(g.PubPath)

	minion := openStore(t, Options{})
	if err := os.WriteFile(minion.LocalPath(), keyBytes, 0o400); err != nil {
		t.Fatal(err)
	}
	local, err := minion.LoadOrCreateLocal()
	if err != nil {
		t.Fatal(err)
	}
	if local.PubHex() != g.Local.PubHex() || local.VerHex() != g.Local.VerHex() {
		t.Errorf("minion loads pub %s verify %s, want %s %s", local.PubHex(), local.VerHex(), g.Local.PubHex(), g.Local.VerHex())
	}
	if b, _ := os.ReadFile(minion.LocalPath()); !bytes.Equal(b, keyBytes) {
		t.Error("the minion replaced the generated local.key")
	}

	master := openStore(t, Options{})
	if err := os.WriteFile(master.Path(raet.Accepted, "web1"), pubBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := master.Get("web1")
	if err != nil || k.Status != raet.Accepted || k.Pub != local.PubHex() || k.Verify != local.VerHex() {
		t.Fatalf("master reads %+v, %v", k, err)
	}
	if k.Fingerprint() != g.Fingerprint() {
		t.Errorf("fingerprint %s, want %s", k.Fingerprint(), g.Fingerprint())
	}
	if st, err := master.Status("web1", local.PubHex(), local.VerHex()); err != nil || st != raet.Accepted {
		t.Errorf("join with the generated keys: %v, %v; want accepted", st, err)
	}
	if rk, err := ReadKeyFile(g.PubPath); err != nil || rk.ID != "web1" || rk.Pub != k.Pub || rk.Verify != k.Verify {
		t.Errorf("ReadKeyFile = %+v, %v", rk, err)
	}
}

// TestGenKeysKeepsExisting: a second run keeps NAME.key, as Salt keeps an
// existing NAME.pem, and writes a missing NAME.pub from it; a NAME.key that
// is not a key is an error naming it and is left as it is.
func TestGenKeysKeepsExisting(t *testing.T) {
	dir := t.TempDir()
	first, err := GenKeys(dir, "db1")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(first.PubPath); err != nil {
		t.Fatal(err)
	}
	second, err := GenKeys(dir, "db1")
	if err != nil {
		t.Fatal(err)
	}
	if !second.Kept || second.Fingerprint() != first.Fingerprint() {
		t.Errorf("second run: kept %v, fingerprint %s, want %s", second.Kept, second.Fingerprint(), first.Fingerprint())
	}
	if k, err := ReadKeyFile(second.PubPath); err != nil || k.Fingerprint() != first.Fingerprint() {
		t.Errorf("rewritten pub: %+v, %v", k, err)
	}

	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not msgpack"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := GenKeys(dir, "bad"); !errors.Is(err, ErrInvalidKey) || !bytes.Contains([]byte(err.Error()), []byte(bad)) {
		t.Errorf("corrupt NAME.key: %v", err)
	}
	if b, _ := os.ReadFile(bad); string(b) != "not msgpack" {
		t.Error("corrupt NAME.key replaced")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.pub")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("bad.pub written from a corrupt key: %v", err)
	}
	for _, name := range []string{"", "../x", ".hidden", "a/b"} {
		if _, err := GenKeys(dir, name); !errors.Is(err, ErrInvalidID) {
			t.Errorf("GenKeys(%q): %v, want ErrInvalidID", name, err)
		}
	}
}

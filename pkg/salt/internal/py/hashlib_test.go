package py

import (
	"encoding/hex"
	"testing"
)

// The digests of "abc", as Python's hashlib gives them.
func TestNewHash(t *testing.T) {
	for name, want := range map[string]string{
		"md5":      "900150983cd24fb0d6963f7d28e17f72",
		"sha1":     "a9993e364706816aba3e25717850c26c9cd0d89d",
		"sha256":   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha3_256": "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
	} {
		h, ok := NewHash(name)
		if !ok {
			t.Errorf("%s: not known", name)
			continue
		}
		h.Write([]byte("abc"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	if _, ok := NewHash("crc32"); ok {
		t.Error("crc32 is not a hashlib name")
	}
}

package pki

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/vmihailenco/msgpack/v5"
)

// Hand-built msgpack, independent of the encoder under test.
func fixstr(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }
func str8(s string) []byte   { return append([]byte{0xd9, byte(len(s))}, s...) }
func str16(s string) []byte  { return append([]byte{0xda, byte(len(s) >> 8), byte(len(s))}, s...) }
func bin8(s string) []byte   { return append([]byte{0xc4, byte(len(s))}, s...) }

func mapOf(parts ...[]byte) []byte {
	return append([]byte{0x80 | byte(len(parts)/2)}, bytes.Join(parts, nil)...)
}

// saltKeyFile is the file salt.payload.Serial.dumps (msgpack-python,
// use_bin_type=False) writes for RaetKey.status: old raw strings, fixstr
// for short ones and str16 for the 64-digit keys (msgpack-python never
// emits str8 without the bin type).
func saltKeyFile(id, pub, ver string) []byte {
	return mapOf(fixstr("minion_id"), fixstr(id), fixstr("pub"), str16(pub), fixstr("verify"), str16(ver))
}

// specKeyFile reads spec/salt-payloads/raetkey-accepted-file.json.
func specContent(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testvectors.Shared(t), "spec", "salt-payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Content map[string]any `json:"content"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Content) == 0 {
		t.Fatalf("%s has no content", name)
	}
	return v.Content
}

func TestKeyFileBytesMatchSalt(t *testing.T) {
	spec := specContent(t, "raetkey-accepted-file.json")
	id, pub, ver := spec["minion_id"].(string), spec["pub"].(string), spec["verify"].(string)

	s := openStore(t, Options{AutoAccept: true})
	if st, err := s.Status(id, pub, ver); err != nil || st != raet.Accepted {
		t.Fatalf("Status = %v, %v", st, err)
	}
	got, err := os.ReadFile(s.Path(raet.Accepted, id))
	if err != nil {
		t.Fatal(err)
	}
	if want := saltKeyFile(id, pub, ver); !bytes.Equal(got, want) {
		t.Errorf("written file\n got %x\nwant %x", got, want)
	}
	// Any msgpack reader sees the map of the spec, with str values.
	var m map[string]any
	if err := msgpack.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, spec) {
		t.Errorf("decoded %v, spec content %v", m, spec)
	}
	if fi, err := os.Stat(s.Path(raet.Accepted, id)); err != nil || fi.Mode().Perm() != keyFileMode {
		t.Errorf("key file mode = %v, %v; want %o", fi.Mode(), err, keyFileMode)
	}
}

func TestKeyFileReadsEveryStringEncoding(t *testing.T) {
	spec := specContent(t, "raetkey-accepted-file.json")
	id, pub, ver := spec["minion_id"].(string), spec["pub"].(string), spec["verify"].(string)
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"salt 2018.3 raw strings (fixstr, str16)", saltKeyFile(id, pub, ver)},
		{"str8", mapOf(fixstr("minion_id"), str8(id), fixstr("pub"), str8(pub), fixstr("verify"), str8(ver))},
		{"bin values", mapOf(fixstr("minion_id"), bin8(id), fixstr("pub"), bin8(pub), fixstr("verify"), bin8(ver))},
		{"bin keys and values", mapOf(bin8("verify"), bin8(ver), bin8("pub"), bin8(pub), bin8("minion_id"), bin8(id))},
		{"upper-case hex", saltKeyFile(id, strings.ToUpper(pub), strings.ToUpper(ver))},
		{"extra field", mapOf(fixstr("minion_id"), fixstr(id), fixstr("pub"), str16(pub), fixstr("verify"), str16(ver), fixstr("device_id"), []byte{0x07})},
		{"minion_id differing from the file name", saltKeyFile("old-name", pub, ver)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, Options{})
			if err := os.WriteFile(s.Path(raet.Pending, id), c.b, 0o600); err != nil {
				t.Fatal(err)
			}
			k, err := s.Read(id, raet.Pending)
			if err != nil {
				t.Fatal(err)
			}
			want := Key{ID: id, Status: raet.Pending, Pub: pub, Verify: ver}
			if k != want {
				t.Errorf("Read = %+v, want %+v", k, want)
			}
			// And the decision uses it: the same keys are still pending.
			if st, err := s.Status(id, pub, ver); err != nil || st != raet.Pending {
				t.Errorf("Status = %v, %v", st, err)
			}
		})
	}
}

func TestKeyFileRefusesWhatSaltWouldNotWrite(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not msgpack", []byte("pub: x\n")},
		{"array", []byte{0x93, 0xa1, 'a', 0xa1, 'b', 0xa1, 'c'}},
		{"nil", []byte{0xc0}},
		{"no verify", mapOf(fixstr("minion_id"), fixstr("web1"), fixstr("pub"), str16(good))},
		{"no minion_id", mapOf(fixstr("pub"), str16(good), fixstr("verify"), str16(good))},
		{"short key", saltKeyFile("web1", good[:62], good)},
		{"long key", saltKeyFile("web1", good, good+"ab")},
		{"not hex", saltKeyFile("web1", strings.Repeat("zz", 32), good)},
		{"raw 32-byte key", mapOf(fixstr("minion_id"), fixstr("web1"), fixstr("pub"), bin8(strings.Repeat("k", 32)), fixstr("verify"), str16(good))},
		{"integer value", mapOf(fixstr("minion_id"), fixstr("web1"), fixstr("pub"), []byte{0x01}, fixstr("verify"), str16(good))},
		{"integer key", mapOf([]byte{0x01}, fixstr("web1"), fixstr("pub"), str16(good), fixstr("verify"), str16(good))},
		{"duplicate field", mapOf(fixstr("minion_id"), fixstr("web1"), fixstr("pub"), str16(good), fixstr("pub"), str16(good), fixstr("verify"), str16(good))},
		{"trailing bytes", append(saltKeyFile("web1", good, good), 0xc0)},
		{"truncated", saltKeyFile("web1", good, good)[:40]},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, Options{})
			p := s.Path(raet.Accepted, "web1")
			if err := os.WriteFile(p, c.b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Read("web1", raet.Accepted)
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), p) {
				t.Errorf("Read = %v, want ErrInvalidKey naming %s", err, p)
			}
		})
	}
}

// The encoder writes exactly the hand-built bytes for short and long
// strings, so a file is the same whichever side wrote it.
func TestEncodeMapRawStrings(t *testing.T) {
	long := strings.Repeat("x", 300)
	got := encodeMap("a", strings.Repeat("y", 31), "b", strings.Repeat("z", 32), "c", long)
	want := mapOf(fixstr("a"), fixstr(strings.Repeat("y", 31)), fixstr("b"), str16(strings.Repeat("z", 32)), fixstr("c"), str16(long))
	if !bytes.Equal(got, want) {
		t.Errorf("encodeMap\n got %x\nwant %x", got, want)
	}
	if bytes.IndexByte(got, 0xd9) >= 0 || bytes.IndexByte(got, 0xc4) >= 0 {
		t.Error("encodeMap used str8 or bin8")
	}
}

// Package testvectors finds and reads the datagrams captured from the Python
// reference, for tests. They are kept in the repository under
// testdata/shared, so a fresh clone tests itself; `make vectors-check`
// compares them with the project's shared captures. The vectors are the
// reference in CI, so a test that cannot find them fails rather than skips.
package testvectors

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// EnvTestdata names a variable that, when set, points the tests at another
// directory laid out as testdata/shared (vectors/ and spec/), to try a new
// capture before it is copied in.
const EnvTestdata = "SALTRAET_TESTDATA"

// Shared returns the directory holding vectors/ and spec/: $SALTRAET_TESTDATA,
// or testdata/shared below the module root found by walking up from the
// working directory.
func Shared(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv(EnvTestdata); d != "" {
		return d
	}
	shared := filepath.Join(ModuleRoot(tb), "testdata", "shared")
	if _, err := os.Stat(filepath.Join(shared, "vectors")); err != nil {
		tb.Fatalf("testvectors: no vectors at %s: %v", shared, err)
	}
	return shared
}

// ModuleRoot is the directory holding go.mod, found by walking up from the
// working directory.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testvectors: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("testvectors: no go.mod above %s; set %s", dir, EnvTestdata)
		}
	}
}

// Path joins parts below the vectors directory.
func Path(tb testing.TB, parts ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Shared(tb), "vectors"}, parts...)...)
}

// ReadJSON decodes one JSON vector file below the vectors directory into v.
func ReadJSON(tb testing.TB, v any, parts ...string) {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, parts...))
	if err != nil {
		tb.Fatalf("testvectors: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("testvectors: %s: %v", filepath.Join(parts...), err)
	}
}

// Datagram is one line of a road-exchange*.jsonl capture: the bytes and what
// the reference decoded from them.
type Datagram struct {
	I        int    `json:"i"`
	Dir      string `json:"dir"`       // a2b: joiner to main; b2a: main to joiner
	FromRole string `json:"from_role"` // "joiner" or "main", a key of Meta.Keys
	ToRole   string `json:"to_role"`
	Len      int    `json:"len"`
	Hex      string `json:"hex"`
	Raet     Decoded
}

// Decoded is what raet.road.packeting decoded from a datagram.
type Decoded struct {
	Signature string         `json:"signature"` // "verified" or "none"
	Data      map[string]any `json:"data"`      // every head field with defaults filled
	Kinds     map[string]string
	Parts     struct {
		HeadLen      int     `json:"head_len"`
		CoatLen      int     `json:"coat_len"`
		FootLen      int     `json:"foot_len"`
		Signature    string  `json:"signature"`
		CoatNonce    *string `json:"coat_nonce"`
		PlainBodyHex *string `json:"plain_body_hex"`
	}
	Body            json.RawMessage `json:"body"`
	BodyRawHex      *string         `json:"body_raw_hex"`
	ReassembledBody json.RawMessage `json:"reassembled_body"`
	Segment         *struct {
		SN int `json:"sn"`
		SC int `json:"sc"`
		ML int `json:"ml"`
	} `json:"segment"`
}

// Bytes returns the datagram.
func (d *Datagram) Bytes(tb testing.TB) []byte {
	tb.Helper()
	return Hex(tb, d.Hex)
}

// Hex decodes hex or fails the test.
func Hex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("testvectors: bad hex %.20q: %v", s, err)
	}
	return b
}

// Keys are one estate's keys in a .meta.json file.
type Keys struct {
	Name          string `json:"name"`
	SigkeySeedHex string `json:"sigkey_seed_hex"`
	PrikeyHex     string `json:"prikey_hex"`
	VerkeyHex     string `json:"verkey_hex"`
	PubkeyHex     string `json:"pubkey_hex"`
}

// SessionKeys are one side's short-term keys of the captured session.
type SessionKeys struct {
	ShortPrihex       string `json:"short_prihex"`
	ShortPubhex       string `json:"short_pubhex"`
	RemoteShortPubhex string `json:"remote_short_pubhex"`
}

// Meta is a road-exchange*.meta.json file. Its key maps also hold prose
// notes, so the two roles are read by name.
type Meta struct {
	BodyKind string `json:"body_kind"`
	Keys     struct {
		Main   Keys `json:"main"`
		Joiner Keys `json:"joiner"`
	} `json:"keys"`
	SessionKeys struct {
		Main   SessionKeys `json:"main"`
		Joiner SessionKeys `json:"joiner"`
	} `json:"session_keys"`
}

// KeysOf returns the long-term keys of a role, "main" or "joiner".
func (m *Meta) KeysOf(tb testing.TB, role string) Keys {
	tb.Helper()
	return ofRole(tb, role, m.Keys.Main, m.Keys.Joiner)
}

// SessionKeysOf returns the short-term keys of a role, "main" or "joiner".
func (m *Meta) SessionKeysOf(tb testing.TB, role string) SessionKeys {
	tb.Helper()
	return ofRole(tb, role, m.SessionKeys.Main, m.SessionKeys.Joiner)
}

// ofRole picks main's or joiner's value by the role's name, failing the
// test for any other name.
func ofRole[T any](tb testing.TB, role string, main, joiner T) T {
	tb.Helper()
	switch role {
	case "main":
		return main
	case "joiner":
		return joiner
	}
	tb.Fatalf("testvectors: no role %q", role)
	var zero T
	return zero
}

// RoadExchange reads road-exchange<suffix>.jsonl and its meta file
// (suffix "" for msgpack bodies, "-json" for json bodies).
func RoadExchange(tb testing.TB, suffix string) ([]Datagram, Meta) {
	tb.Helper()
	var meta Meta
	ReadJSON(tb, &meta, "road-exchange"+suffix+".meta.json")
	f, err := os.Open(Path(tb, "road-exchange"+suffix+".jsonl"))
	if err != nil {
		tb.Fatalf("testvectors: %v", err)
	}
	defer f.Close()
	var out []Datagram
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var d Datagram
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			tb.Fatalf("testvectors: road-exchange%s.jsonl line %d: %v", suffix, len(out)+1, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("testvectors: %v", err)
	}
	if len(out) == 0 {
		tb.Fatalf("testvectors: road-exchange%s.jsonl is empty", suffix)
	}
	return out, meta
}

// Packet is one file of vectors/packets.
type Packet struct {
	Name       string  `json:"name"`
	BodyKind   string  `json:"body_kind"`
	FromRole   string  `json:"from_role"`
	Hex        string  `json:"hex"`
	Len        int     `json:"len"`
	Decoded    Decoded `json:"raet_decoded"`
	KeysNeeded struct {
		Verify         string `json:"verify_signature_with"`
		ReceiverPrikey string `json:"decrypt_coat_with_receiver_short_prikey"`
		SenderPubkey   string `json:"decrypt_coat_with_sender_short_pubkey"`
	} `json:"keys_needed"`
}

// Packets reads every file of vectors/packets, by file name.
func Packets(tb testing.TB) map[string]Packet {
	tb.Helper()
	names, err := filepath.Glob(Path(tb, "packets", "*.json"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("testvectors: no packet vectors in %s: %v", Path(tb, "packets"), err)
	}
	out := map[string]Packet{}
	for _, n := range names {
		var p Packet
		ReadJSON(tb, &p, "packets", filepath.Base(n))
		out[filepath.Base(n)] = p
	}
	return out
}

// LanePage is one page of a lane vector.
type LanePage struct {
	Index    int            `json:"index"`
	Len      int            `json:"len"`
	HeadLen  int            `json:"head_len"`
	BodyLen  int            `json:"body_len"`
	HeadText string         `json:"head_text"`
	Head     map[string]any `json:"head"`
	Hex      string         `json:"hex"`
}

// Lane is one file of vectors/lane: a message sent between two lane stacks.
type Lane struct {
	Lane     string `json:"lane"`
	SrcYard  string `json:"src_yard"`
	DstYard  string `json:"dst_yard"`
	PackKind struct {
		Name  string `json:"name"`
		Value int    `json:"value"`
	} `json:"pack_kind"`
	PackedBodyLen    int             `json:"packed_body_len"`
	PackedBodySHA256 string          `json:"packed_body_sha256"`
	Body             json.RawMessage `json:"body"`
	Pages            []LanePage      `json:"pages"`
	Pagination       *struct {
		SectionSizes []int `json:"section_sizes"`
	} `json:"pagination"`
}

// LaneVector reads vectors/lane/<name>.json.
func LaneVector(tb testing.TB, name string) Lane {
	tb.Helper()
	var l Lane
	ReadJSON(tb, &l, "lane", name+".json")
	if len(l.Pages) == 0 {
		tb.Fatalf("testvectors: lane/%s.json has no pages", name)
	}
	return l
}

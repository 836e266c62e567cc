package body

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// seedBodies adds the captured bodies of the given kind and the table cases.
func seedBodies(f *testing.F, kind raet.BodyKind) {
	files := map[raet.BodyKind][]string{
		raet.BodyJSON:    {"single-json.json", "empty-json.json"},
		raet.BodyMsgpack: {"single-msgpack.json", "single-msgpack-bin.json", "empty-msgpack.json"},
	}
	for _, file := range files[kind] {
		raw, err := DecodeJSON(readVector(f, "lane", file))
		if err != nil {
			f.Fatal(err)
		}
		pages, _ := raw.(Map).Get("pages")
		h, _ := pages.([]any)[0].(Map).String("hex")
		dg := testvectors.Hex(f, h)
		f.Add(dg[bytes.Index(dg, []byte(raet.HeadEnd))+2:])
	}
	road := map[raet.BodyKind]string{raet.BodyJSON: "road-exchange-json.jsonl", raet.BodyMsgpack: "road-exchange.jsonl"}
	for _, line := range strings.Split(strings.TrimSpace(string(readVector(f, road[kind]))), "\n") {
		raw, err := DecodeJSON([]byte(line))
		if err != nil {
			f.Fatal(err)
		}
		r, _ := raw.(Map).Map("raet")
		parts, _ := r.Map("parts")
		if h, ok := parts.String("plain_body_hex"); ok && h != "" {
			f.Add(testvectors.Hex(f, h))
		}
	}
	for _, c := range pythonCases {
		switch {
		case kind == raet.BodyJSON && c.json != "!error" && !strings.HasPrefix(c.json, "sha:"):
			f.Add([]byte(c.json))
			f.Add([]byte(`{"k":` + c.json + `}`))
		case kind == raet.BodyMsgpack && !strings.HasPrefix(c.msgpack, "sha:"):
			b, _ := hex.DecodeString(c.msgpack)
			f.Add(b)
			f.Add(append([]byte{0x81, 0xa1, 'k'}, b...))
		}
	}
}

// fuzzBody checks that whatever Decode accepts, Encode writes, and that
// what it writes reads back as the same value. DecodeJSON/DecodeMsgpack and
// the Append functions get the same check for values that are not bodies.
func fuzzBody(t *testing.T, kind raet.BodyKind, b []byte) {
	decodeAny, appendAny := DecodeJSON, AppendJSON
	if kind == raet.BodyMsgpack {
		decodeAny, appendAny = DecodeMsgpack, AppendMsgpack
	}
	if v, err := decodeAny(b); err == nil {
		enc, err := appendAny(nil, v)
		if err != nil {
			t.Fatalf("%v value %s decoded from %q does not encode: %v", kind, show(v), b, err)
		}
		again, err := decodeAny(enc)
		if err != nil || !equal(again, v) {
			t.Fatalf("%v value does not survive:\n in  %q\n v   %s\n enc %q\n got %s, %v", kind, b, show(v), enc, show(again), err)
		}
	} else if !isBodyErr(err) {
		t.Fatalf("%v: error %v is not a body error", kind, err)
	}
	m, err := Decode(kind, b)
	if err != nil {
		if !isBodyErr(err) {
			t.Fatalf("%v: error %v is not a body error", kind, err)
		}
		return
	}
	enc, err := Encode(kind, m)
	if err != nil {
		t.Fatalf("%v body %s decoded from %q does not encode: %v", kind, show(m), b, err)
	}
	again, err := Decode(kind, enc)
	if err != nil || !equal(again, m) {
		t.Fatalf("%v body does not survive:\n in  %q\n m   %s\n enc %q\n got %s, %v", kind, b, show(m), enc, show(again), err)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	seedBodies(f, raet.BodyJSON)
	for _, s := range []string{
		`{"a":1,"b":2,"a":3}`, `[NaN,Infinity,-Infinity]`, `"\ud800\u0041"`, `{"a":"\ud83d\ude00"}`,
		`18446744073709551616`, `-9223372036854775809`, `1e400`, `[1,]`, "\"\xff\"", `{"a" 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, raet.BodyJSON, b) })
}

func FuzzDecodeMsgpack(f *testing.F) {
	seedBodies(f, raet.BodyMsgpack)
	for _, h := range []string{
		"83a16101a16202a16103", "81a16e8201a16102a162", "81c4016b02", "ca3f000000", "a2ff00",
		"d6ff00000001", "dfffffffff", "81a16d84c0a163c3a162cb3ff8000000000000a164ff01", "9191919190",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, raet.BodyMsgpack, b) })
}

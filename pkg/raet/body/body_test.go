package body

import (
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// AsInt64 takes every Go integer kind that fits, and nothing else: a
// bool, a float or a uint above MaxInt64 is not an int64.
func TestAsInt64(t *testing.T) {
	for _, v := range []any{int(-3), int8(-3), int16(-3), int32(-3), int64(-3)} {
		if n, ok := AsInt64(v); !ok || n != -3 {
			t.Errorf("AsInt64(%T) = %d, %v", v, n, ok)
		}
	}
	for _, v := range []any{uint(3), uint8(3), uint16(3), uint32(3), uint64(3)} {
		if n, ok := AsInt64(v); !ok || n != 3 {
			t.Errorf("AsInt64(%T) = %d, %v", v, n, ok)
		}
	}
	if n, ok := AsInt64(uint64(math.MaxInt64)); !ok || n != math.MaxInt64 {
		t.Errorf("AsInt64(MaxInt64 as uint64) = %d, %v", n, ok)
	}
	for _, v := range []any{uint64(math.MaxInt64 + 1), uint(math.MaxUint), true, 1.0, "1", nil} {
		if n, ok := AsInt64(v); ok {
			t.Errorf("AsInt64(%#v) = %d, true", v, n)
		}
	}
}

func TestMapAccessors(t *testing.T) {
	var m Map
	m.Set("a", int64(1))
	m.Set("b", "two")
	m.Set("c", true)
	m.Set("d", Map{{"x", nil}})
	m.Set("a", 7) // replaced where it stands
	m.Set("u", uint64(math.MaxUint64))
	m.Set("v", uint32(5))
	if got := m.Keys(); len(got) != 6 || got[0] != "a" || got[5] != "v" {
		t.Fatalf("Keys = %v", got)
	}
	if n, ok := m.Int("a"); !ok || n != 7 {
		t.Errorf("Int(a) = %d, %v", n, ok)
	}
	if n, ok := m.Int("v"); !ok || n != 5 {
		t.Errorf("Int(v) = %d, %v", n, ok)
	}
	if _, ok := m.Int("u"); ok {
		t.Errorf("Int of a uint64 above MaxInt64 should fail")
	}
	if _, ok := m.Int("b"); ok {
		t.Errorf("Int of a string should fail")
	}
	if s, ok := m.String("b"); !ok || s != "two" {
		t.Errorf("String(b) = %q, %v", s, ok)
	}
	if b, ok := m.Bool("c"); !ok || !b {
		t.Errorf("Bool(c) = %v, %v", b, ok)
	}
	if sub, ok := m.Map("d"); !ok || !sub.Has("x") {
		t.Errorf("Map(d) = %v, %v", sub, ok)
	}
	if _, ok := m.Map("missing"); ok {
		t.Errorf("Map(missing) ok")
	}
	m.Delete("b")
	m.Delete("missing")
	if m.Has("b") || len(m) != 5 || m[1].Key != "c" {
		t.Errorf("after Delete: %v", m.Keys())
	}
	if v, ok := m.Get("d"); !ok || v == nil {
		t.Errorf("Get(d) = %v, %v", v, ok)
	}
	p := &Map{{"k", "v"}}
	m.Set("p", p)
	if sub, ok := m.Map("p"); !ok || sub[0].Value != "v" {
		t.Errorf("Map of a *Map = %v, %v", sub, ok)
	}
}

func TestEmptyBodyRule(t *testing.T) {
	type none struct{}
	for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
		for _, v := range []any{nil, Map{}, Map(nil), (*Map)(nil), &Map{}, map[string]any{}, map[string]string{},
			map[any]any{}, map[string]int{}, none{}, (*none)(nil)} {
			b, err := Encode(kind, v)
			if err != nil || len(b) != 0 {
				t.Errorf("Encode(%v, %#v) = %q, %v; want zero bytes", kind, v, b, err)
			}
		}
		m, err := Decode(kind, nil)
		if err != nil || m == nil || len(m) != 0 {
			t.Errorf("Decode(%v, nil) = %#v, %v; want an empty non-nil Map", kind, m, err)
		}
		m, err = Decode(kind, []byte{})
		if err != nil || m == nil || len(m) != 0 {
			t.Errorf("Decode(%v, []byte{}) = %#v, %v", kind, m, err)
		}
	}
	// Only the top is an empty body: a nested empty mapping is still written.
	b, err := Encode(raet.BodyJSON, Map{{"a", Map{}}})
	if err != nil || string(b) != `{"a":{}}` {
		t.Errorf("nested empty: %s, %v", b, err)
	}
}

func TestBodyKinds(t *testing.T) {
	if b, err := Encode(raet.BodyNada, Map{{"a", 1}}); b != nil || err != nil {
		t.Errorf("Encode(nada) = %q, %v", b, err)
	}
	if m, err := Decode(raet.BodyNada, []byte("junk")); err != nil || m == nil || len(m) != 0 {
		t.Errorf("Decode(nada) = %v, %v", m, err)
	}
	for _, k := range []raet.BodyKind{raet.BodyRaw, raet.BodyUnknown, 9} {
		if _, err := Encode(k, Map{{"a", 1}}); !errors.Is(err, raet.ErrKind) {
			t.Errorf("Encode(%v): %v, want a kind error", k, err)
		}
		if _, err := Decode(k, []byte("{}")); !errors.Is(err, raet.ErrKind) {
			t.Errorf("Decode(%v): %v, want a kind error", k, err)
		}
	}
}

func TestEncodeRefusesNonMappings(t *testing.T) {
	for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
		for _, v := range []any{[]any{1}, 5, "s", true, 1.5, []byte("x"), Ext{1, nil}, []string{}} {
			b, err := Encode(kind, v)
			if err == nil || !isBodyErr(err) {
				t.Errorf("Encode(%v, %#v) = %q, %v; want a body error", kind, v, b, err)
			}
		}
	}
	_, err := Encode(raet.BodyJSON, []any{1})
	if err == nil || err.Error() != "raet: body is a list, not a mapping" {
		t.Errorf("message: %v", err)
	}
	_, err = Encode(raet.BodyJSON, Map{{"raw", []byte{1}}})
	if !isBodyErr(err) {
		t.Errorf("bytes in a JSON body: %v", err)
	}
}

type inner struct {
	Z int `json:"z"`
}

type job struct {
	A   int     `msgpack:"a" json:"a"`
	B   string  `json:"b"`
	M   Map     `json:"M"`
	F   float32 `json:"F"`
	Raw []byte  `json:"Raw,omitempty"`
	L   []any   `json:"L"`
}

// Structs go through a reflection encoder and keep their field order; the
// expected bytes are Python's for the OrderedDict with the same items.
func TestEncodeStructs(t *testing.T) {
	v := job{A: 1, B: "x", M: Map{{"z", 1}, {"y", 2}}, F: 0.5, Raw: []byte{1, 2}, L: []any{1.0, 2}}
	b, err := Encode(raet.BodyMsgpack, v)
	want := "86a16101a162a178a14d82a17a01a17902a146cb3fe0000000000000a3526177c4020102a14c92cb3ff000000000000002"
	if err != nil || hex.EncodeToString(b) != want {
		t.Errorf("msgpack struct:\n got %x, %v\nwant %s", b, err, want)
	}
	b, err = Encode(raet.BodyMsgpack, &v)
	if err != nil || hex.EncodeToString(b) != want {
		t.Errorf("msgpack *struct:\n got %x, %v\nwant %s", b, err, want)
	}
	// encoding/json writes the float 1.0 of L as 1, so Python's [1.0,2]
	// cannot be had from a struct; [1,2] is what comes out.
	v.Raw = nil
	b, err = Encode(raet.BodyJSON, v)
	if err != nil || string(b) != `{"a":1,"b":"x","M":{"z":1,"y":2},"F":0.5,"L":[1,2]}` {
		t.Errorf("json struct: %s, %v", b, err)
	}
	// A struct nested in a Map.
	b, err = Encode(raet.BodyJSON, Map{{"s", inner{3}}, {"p", &inner{4}}})
	if err != nil || string(b) != `{"s":{"z":3},"p":{"z":4}}` {
		t.Errorf("json nested struct: %s, %v", b, err)
	}
	b, err = Encode(raet.BodyMsgpack, Map{{"s", inner{3}}})
	if err != nil || hex.EncodeToString(b) != "81a17381a17a03" {
		t.Errorf("msgpack nested struct: %x, %v", b, err)
	}
	// Ext refuses JSON inside a struct as well.
	if _, err := Encode(raet.BodyJSON, struct{ E Ext }{Ext{1, []byte{1}}}); err == nil {
		t.Errorf("Ext in a JSON struct: no error")
	}
	b, err = Encode(raet.BodyMsgpack, struct{ E Ext }{Ext{1, []byte{9}}})
	if err != nil || hex.EncodeToString(b) != "81a145d40109" {
		t.Errorf("Ext in a msgpack struct: %x, %v", b, err)
	}
}

type name string

// Plain Go maps are written with sorted keys; Python would have written its
// dict in insertion order, so the expected bytes are Python's for an
// OrderedDict in the sorted order: nil, bools, numbers, strings.
func TestEncodeGoMaps(t *testing.T) {
	mixed := map[any]any{nil: "c", false: "b", 2: "a", 1.5: "d", "s": "e", -1: "f"}
	b, err := AppendJSON(nil, mixed)
	if err != nil || string(b) != `{"null":"c","false":"b","-1":"f","1.5":"d","2":"a","s":"e"}` {
		t.Errorf("json map[any]any: %s, %v", b, err)
	}
	b, err = AppendMsgpack(nil, mixed)
	if err != nil || hex.EncodeToString(b) != "86c0a163c2a162ffa166cb3ff8000000000000a16402a161a173a165" {
		t.Errorf("msgpack map[any]any: %x, %v", b, err)
	}
	ints := Map{{"n", map[int]string{2: "b", 1: "a"}}}
	b, err = AppendJSON(nil, ints)
	if err != nil || string(b) != `{"n":{"1":"a","2":"b"}}` {
		t.Errorf("json map[int]string: %s, %v", b, err)
	}
	b, err = AppendMsgpack(nil, ints)
	if err != nil || hex.EncodeToString(b) != "81a16e8201a16102a162" {
		t.Errorf("msgpack map[int]string: %x, %v", b, err)
	}
	named := map[name][]name{"b": {"x"}, "a": nil}
	b, err = AppendJSON(nil, named)
	if err != nil || string(b) != `{"a":[],"b":["x"]}` {
		t.Errorf("json named types: %s, %v", b, err)
	}
	b, err = AppendMsgpack(nil, named)
	if err != nil || hex.EncodeToString(b) != "82a16190a16291a178" {
		t.Errorf("msgpack named types: %x, %v", b, err)
	}
	if _, err := AppendJSON(nil, map[any]any{[2]int{}: 1}); !isBodyErr(err) {
		t.Errorf("json array key: %v", err)
	}
}

func TestEncodeCycles(t *testing.T) {
	l := []any{nil}
	l[0] = l
	if _, err := AppendJSON(nil, l); !isBodyErr(err) {
		t.Errorf("json cycle: %v", err)
	}
	if _, err := AppendMsgpack(nil, l); !isBodyErr(err) {
		t.Errorf("msgpack cycle: %v", err)
	}
	if _, err := AppendJSON(nil, func() {}); !isBodyErr(err) {
		t.Errorf("json func: %v", err)
	}
	if _, err := AppendMsgpack(nil, make(chan int)); !isBodyErr(err) {
		t.Errorf("msgpack chan: %v", err)
	}
}

func TestEncodeInvalidUTF8(t *testing.T) {
	b, err := AppendJSON(nil, "a\xffb\xe2\x98")
	if err != nil || string(b) != `"a\ufffdb\ufffd\ufffd"` {
		t.Errorf("json invalid UTF-8: %s, %v", b, err)
	}
	// msgpack carries the bytes as they are, as old peers' str did.
	b, err = AppendMsgpack(nil, "a\xff")
	if err != nil || hex.EncodeToString(b) != "a261ff" {
		t.Errorf("msgpack invalid UTF-8: %x, %v", b, err)
	}
}

// What msgpack-python 1.0 and older peers send that the encoder never writes.
func TestDecodeMsgpackForms(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want any
	}{
		{"ca3f000000", 0.5},                                             // float32
		{"d90161", "a"},                                                 // str8 for a short string
		{"da000161", "a"},                                               // str16
		{"c40161", []byte("a")},                                         // bin8
		{"a2ff00", "\xff\x00"},                                          // old peers: bytes in a str
		{"de0001a16101", Map{{"a", int64(1)}}},                          // map16 with one entry
		{"dc000101", []any{int64(1)}},                                   // array16
		{"d000", int64(0)},                                              // int8 0
		{"d1ff80", int64(-128)},                                         // int16
		{"cc05", int64(5)},                                              // uint8 for a fixint
		{"cfffffffffffffffff", uint64(math.MaxUint64)},                  // uint64
		{"d38000000000000000", int64(math.MinInt64)},                    // int64
		{"d6ff00000001", Ext{-1, []byte{0, 0, 0, 1}}},                   // timestamp 32
		{"c70c05" + "000000000000000000000001", Ext{5, make12(1)}},      // ext8
		{"83a16101a16202a16103", Map{{"a", int64(3)}, {"b", int64(2)}}}, // repeated key
		{"81a16e8201a16102a162", Map{{"n", map[any]any{int64(1): "a", int64(2): "b"}}}}, // int keys, nested
		{"81c4016b02", Map{{"k", int64(2)}}},                                            // a bin key reads as a str
		{"81a16d84c0a163c3a162cb3ff8000000000000a164ff01", Map{{"m", map[any]any{nil: "c", true: "b", 1.5: "d", int64(-1): int64(1)}}}},
	} {
		b, _ := hex.DecodeString(c.hex)
		got, err := DecodeMsgpack(b)
		if err != nil {
			t.Errorf("DecodeMsgpack(%s): %v", c.hex, err)
			continue
		}
		if !equal(got, c.want) {
			t.Errorf("DecodeMsgpack(%s) = %s, want %s", c.hex, show(got), show(c.want))
		}
	}
}

func make12(last byte) []byte {
	b := make([]byte, 12)
	b[11] = last
	return b
}

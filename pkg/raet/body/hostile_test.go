package body

import (
	"bytes"
	"encoding/hex"
	"runtime"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// A body comes from the network: whatever its bytes, Decode must return an
// error (raet.ErrBody) rather than panic, recurse without bound or allocate
// what the input claims rather than what it holds.

func TestNesting(t *testing.T) {
	nestJSON := func(n int) []byte {
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	nestMsgpack := func(n int) []byte {
		return append(bytes.Repeat([]byte{0x91}, n), 0xc0)
	}
	// msgpack-python accepts 1024 levels and refuses 1025 (StackError).
	if _, err := DecodeJSON(nestJSON(maxDepth)); err != nil {
		t.Errorf("json at the limit: %v", err)
	}
	if _, err := DecodeMsgpack(nestMsgpack(maxDepth)); err != nil {
		t.Errorf("msgpack at the limit: %v", err)
	}
	for name, b := range map[string][]byte{
		"json one over":      nestJSON(maxDepth + 1),
		"msgpack one over":   nestMsgpack(maxDepth + 1),
		"json objects":       []byte(strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1)),
		"msgpack maps":       append(bytes.Repeat([]byte{0x81, 0xa1, 'a'}, maxDepth+1), 0xc0),
		"json 16 MB open":    bytes.Repeat([]byte{'['}, 16<<20),
		"msgpack 16 MB open": bytes.Repeat([]byte{0x91}, 16<<20),
	} {
		_, err := DecodeJSON(b)
		if strings.HasPrefix(name, "msgpack") {
			_, err = DecodeMsgpack(b)
		}
		if !isBodyErr(err) || !strings.Contains(err.Error(), "nested deeper") {
			t.Errorf("%s: %v", name, err)
		}
	}
	deep := any(Map{})
	for range maxDepth + 1 {
		deep = []any{deep}
	}
	if _, err := AppendJSON(nil, deep); !isBodyErr(err) {
		t.Errorf("encoding json deeper than the decoder reads: %v", err)
	}
	if _, err := AppendMsgpack(nil, deep); !isBodyErr(err) {
		t.Errorf("encoding msgpack deeper than the decoder reads: %v", err)
	}
}

func TestHugeDeclaredLengths(t *testing.T) {
	for _, h := range []string{
		"ddffffffff",       // array32 of 4294967295
		"dd00000002c0",     // two items, one byte
		"dcffff",           // array16
		"9f",               // fixarray of 15, nothing after
		"dfffffffff",       // map32
		"df00000002c0c0c0", // two entries, three bytes
		"de0002c0c0c0",
		"8f",
		"dbffffffff", "dbffffffff61", "daffff", "d9ff61", "bf61", // str
		"c6ffffffff", "c5ffff", "c4ff00", // bin
		"c9ffffffff05", "c8ffff05", "c7ff0500", "d80500", // ext
		"d90a" + "61", "a2" + "61",
	} {
		b, _ := hex.DecodeString(h)
		v, err := DecodeMsgpack(b)
		if !isBodyErr(err) {
			t.Errorf("DecodeMsgpack(%s) = %s, %v; want a body error", h, show(v), err)
		}
	}
	_, err := DecodeMsgpack([]byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0, 0xc0})
	if err == nil || err.Error() != "raet: msgpack body: map at offset 0 has 4294967295 entries but only 3 bytes remain" {
		t.Errorf("message: %v", err)
	}
}

// Every level of a nested body may claim nearly all the bytes that remain.
// What is allocated must follow what is decoded, not what is claimed: here
// 1000 lists each claim about a million items, and hold one item each.
func TestClaimsDoNotAllocate(t *testing.T) {
	const levels, tail = 1000, 1 << 20
	var b []byte
	for range levels {
		b = append(b, 0xdd, 0x00, 0x0f, 0xff, 0xf0) // a list of 1048560 items
	}
	b = append(b, 0xdb, 0x00, 0x10, 0x00, 0x00) // then one str of 1 MB
	b = append(b, make([]byte, tail)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeMsgpack(b)
	runtime.ReadMemStats(&after)
	if !isBodyErr(err) {
		t.Fatalf("got %v", err)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("decoding %d bytes allocated %d KB", len(b), got>>10)
	if got > 4*tail {
		t.Errorf("decoding %d bytes allocated %d KB", len(b), got>>10)
	}
}

func TestTruncated(t *testing.T) {
	for _, f := range []string{"single-json.json", "single-msgpack.json", "single-msgpack-bin.json"} {
		lv := readLaneVector(t, f)
		for n := 1; n < len(lv.body); n++ {
			if m, err := Decode(lv.kind, lv.body[:n]); !isBodyErr(err) {
				t.Errorf("%s cut at %d: %s, %v", f, n, show(m), err)
			}
		}
	}
	_, err := DecodeMsgpack([]byte{0xcd, 0x01})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("message: %v", err)
	}
}

func TestTrailingBytes(t *testing.T) {
	for _, c := range []struct {
		kind raet.BodyKind
		in   string
	}{
		{raet.BodyJSON, `{"a":1} x`},
		{raet.BodyJSON, `{"a":1}{}`},
		{raet.BodyJSON, "{\"a\":1}\x00"},
		{raet.BodyMsgpack, "\x81\xa1a\x01\x00"},
		{raet.BodyMsgpack, "\x80\xc0"},
	} {
		if m, err := Decode(c.kind, []byte(c.in)); !isBodyErr(err) {
			t.Errorf("Decode(%v, %q) = %s, %v", c.kind, c.in, show(m), err)
		}
	}
	if m, err := Decode(raet.BodyJSON, []byte("{\"a\":1} \r\n\t")); err != nil || len(m) != 1 {
		t.Errorf("trailing whitespace: %v, %v", m, err)
	}
}

func TestNotAMapping(t *testing.T) {
	for _, c := range []struct {
		kind raet.BodyKind
		in   string
		msg  string
	}{
		{raet.BodyJSON, `[1]`, "raet: body is a list, not a mapping"},
		{raet.BodyJSON, `5`, "raet: body is an int, not a mapping"},
		{raet.BodyJSON, `"s"`, "raet: body is a str, not a mapping"},
		{raet.BodyJSON, `null`, "raet: body is null, not a mapping"},
		{raet.BodyJSON, `NaN`, "raet: body is a float, not a mapping"},
		{raet.BodyJSON, "\"\xff\"", "raet: json body: invalid UTF-8 at offset 1"},
		{raet.BodyJSON, " ", "raet: json body: unexpected end of input at offset 1, expecting a value"},
		{raet.BodyMsgpack, "\x01", "raet: body is an int, not a mapping"},
		{raet.BodyMsgpack, "\x91\x01", "raet: body is a list, not a mapping"},
		{raet.BodyMsgpack, "\xc0", "raet: body is null, not a mapping"},
		{raet.BodyMsgpack, "\xc4\x00", "raet: body is bytes, not a mapping"},
		{raet.BodyMsgpack, "\xd4\x01\x00", "raet: body is a msgpack ext, not a mapping"},
		{raet.BodyMsgpack, "\x81\x01\x02", "raet: body has a key of type int (1); top-level keys must be strings"},
		{raet.BodyMsgpack, "\x82\xa1a\x01\xc0\x02", "raet: body has a key of type null (<nil>); top-level keys must be strings"},
		{raet.BodyMsgpack, "\xc1", "raet: msgpack body: invalid code 0xc1 at offset 0"},
		{raet.BodyMsgpack, "\x81\x91\x01\x02", "raet: msgpack body: map key at offset 1 is a list, which cannot be a key"},
		{raet.BodyMsgpack, "\x81\xa1m\x81\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\x01", "raet: msgpack body: map key at offset 4 is NaN"},
		{raet.BodyMsgpack, "\x81\xa1m\x81\x80\x01", "raet: msgpack body: map key at offset 4 is a mapping, which cannot be a key"},
		{raet.BodyMsgpack, "\x81\xd4\x01\x00\x01", "raet: msgpack body: map key at offset 1 is a msgpack ext, which cannot be a key"},
	} {
		m, err := Decode(c.kind, []byte(c.in))
		if !isBodyErr(err) || err.Error() != c.msg {
			t.Errorf("Decode(%v, %q) = %s, %v\nwant error %s", c.kind, c.in, show(m), err, c.msg)
		}
	}
}

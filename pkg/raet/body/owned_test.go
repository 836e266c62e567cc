package body

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/saltraet/saltraet/pkg/raet"
)

// DecodeOwned reads what Decode reads; its large strings share the body's
// bytes and its small ones do not, so a short string kept for long does
// not hold the buffer.
func TestDecodeOwned(t *testing.T) {
	big := strings.Repeat("a", shareStringsFrom)
	m := Map{{Key: "jid", Value: "20260101000000000001"}, {Key: "arg", Value: []any{big, "b", int64(3)}},
		{Key: "kw", Value: Map{{Key: "x", Value: []byte("y")}}}}
	b, err := Encode(raet.BodyMsgpack, m)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(raet.BodyMsgpack, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeOwned(raet.BodyMsgpack, b)
	if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got, m) {
		t.Fatalf("DecodeOwned = %v, %v; want %v", got, err, want)
	}
	within := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		start := uintptr(unsafe.Pointer(&b[0]))
		return p >= start && p < start+uintptr(len(b))
	}
	arg, _ := got.Get("arg")
	jid, _ := got.String("jid")
	if !within(arg.([]any)[0].(string)) || within(jid) {
		t.Errorf("the large string shares the body: %v; the jid does: %v", within(arg.([]any)[0].(string)), within(jid))
	}
	if _, err := DecodeOwned(raet.BodyMsgpack, b[:len(b)-1]); err == nil {
		t.Error("a truncated body decoded")
	}
	if got, err := DecodeOwned(raet.BodyJSON, []byte(`{"a":1}`)); err != nil || !got.Has("a") {
		t.Errorf("JSON: %v %v", got, err)
	}
}

// PackedSizeAtMost is never below the packed size of what it knows, and
// says when it does not know a type.
func TestPackedSizeAtMost(t *testing.T) {
	for _, v := range []any{
		Map{{Key: "a", Value: strings.Repeat("x", 70000)}, {Key: "b", Value: []any{int64(-1 << 40), uint64(1 << 63), 1.5, true, nil, []byte("z")}}},
		map[string]any{"k": []any{"", Map{}}},
		Map{},
	} {
		b, err := AppendMsgpack(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := PackedSizeAtMost(v); !ok || n < len(b) {
			t.Errorf("%T: bound %d (%v) below the packed %d", v, n, ok, len(b))
		}
	}
	if _, ok := PackedSizeAtMost(Map{{Key: "a", Value: []string{"x"}}}); ok {
		t.Error("a typed slice was bounded")
	}
}

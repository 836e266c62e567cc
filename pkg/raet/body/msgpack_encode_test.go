package body

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendMsgpackNumber: every Go number type is written as
// msgpack-python writes the Python int or float, and nothing else is
// taken for a number.
func TestAppendMsgpackNumber(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want []byte
	}{
		{int(-1), []byte{0xff}},
		{int8(-33), []byte{0xd0, 0xdf}},
		{int16(300), []byte{0xcd, 0x01, 0x2c}},
		{int32(-40000), []byte{0xd2, 0xff, 0xff, 0x63, 0xc0}},
		{int64(127), []byte{0x7f}},
		{uint(128), []byte{0xcc, 0x80}},
		{uint8(5), []byte{0x05}},
		{uint16(65535), []byte{0xcd, 0xff, 0xff}},
		{uint32(65536), []byte{0xce, 0x00, 0x01, 0x00, 0x00}},
		{uint64(1 << 32), []byte{0xcf, 0, 0, 0, 1, 0, 0, 0, 0}},
		{float64(1.5), []byte{0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}},
		{float32(1.5), []byte{0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}},
	} {
		got, ok := appendMsgpackNumber([]byte{0x90}, tc.v)
		if !ok || !bytes.Equal(got, append([]byte{0x90}, tc.want...)) {
			t.Errorf("appendMsgpackNumber(%T %v) = % x, %v; want 90 % x", tc.v, tc.v, got, ok, tc.want)
		}
	}
	type count int
	for _, v := range []any{"1", count(1), json.Number("1"), true, nil} {
		if got, ok := appendMsgpackNumber(nil, v); ok || len(got) != 0 {
			t.Errorf("appendMsgpackNumber(%T %v) took it for a number: % x", v, v, got)
		}
	}
	// A json.Number goes out as the number it reads as.
	if got, err := AppendMsgpack(nil, json.Number("-2")); err != nil || !bytes.Equal(got, []byte{0xfe}) {
		t.Errorf("json.Number -2 = % x, %v", got, err)
	}
}

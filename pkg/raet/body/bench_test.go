package body

import (
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// saltJob is a body shaped like a Salt 2018 publish over RAET: a route and a
// job load, padded with minion ids to about 1 KB.
func saltJob() Map {
	minions := make([]any, 0, 32)
	for i := range 32 {
		minions = append(minions, fmt.Sprintf("minion-%02d.example.org", i))
	}
	return Map{
		{"route", Map{
			{"src", []any{"master", "manor", nil}},
			{"dst", []any{nil, nil, "remote_cmd"}},
		}},
		{"load", Map{
			{"fun", "test.ping"},
			{"arg", []any{}},
			{"tgt", "*"},
			{"jid", "20261122040200123456"},
			{"ret", ""},
			{"user", "root"},
			{"tgt_type", "glob"},
			{"to", int64(5)},
			{"kwargs", Map{{"show_timeout", true}, {"show_jid", false}, {"delimiter", ":"}, {"timeout", 5.0}}},
			{"minions", minions},
			{"metadata", Map{{"created", 1763784120.123456}, {"batch", nil}, {"nonce", int64(-7)}}},
		}},
	}
}

func benchEncode(b *testing.B, kind raet.BodyKind) {
	m := saltJob()
	enc, err := Encode(kind, m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	buf := make([]byte, 0, 2048)
	// Boxed once: passing a Map as an any costs one 24-byte allocation at
	// the call site, which is the caller's, not the encoder's.
	var v any = m
	appendFn := AppendJSON
	if kind == raet.BodyMsgpack {
		appendFn = AppendMsgpack
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := appendFn(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, kind raet.BodyKind) {
	enc, err := Encode(kind, saltJob())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decode(kind, enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeJSON(b *testing.B)    { benchEncode(b, raet.BodyJSON) }
func BenchmarkDecodeJSON(b *testing.B)    { benchDecode(b, raet.BodyJSON) }
func BenchmarkEncodeMsgpack(b *testing.B) { benchEncode(b, raet.BodyMsgpack) }
func BenchmarkDecodeMsgpack(b *testing.B) { benchDecode(b, raet.BodyMsgpack) }

func TestBenchBodySize(t *testing.T) {
	for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
		enc, err := Encode(kind, saltJob())
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) < 800 || len(enc) > 1300 {
			t.Errorf("%v benchmark body is %d bytes, want about 1 KB", kind, len(enc))
		}
		if testing.Verbose() {
			t.Logf("%v: %d bytes", kind, len(enc))
		}
	}
}

package body

import (
	"math"
	"testing"
)

// What Python's json.loads(s, object_pairs_hook=OrderedDict) gave for each
// input (run by hand), as the Go values DecodeJSON promises.
func TestDecodeJSONLikePython(t *testing.T) {
	for _, c := range []struct {
		in   string
		want any
	}{
		{`{"a":1,"b":2,"a":3}`, Map{{"a", int64(3)}, {"b", int64(2)}}},
		{`{"a":{"x":1},"b":2,"a":[1]}`, Map{{"a", []any{int64(1)}}, {"b", int64(2)}}},
		{" \t\r\n{ \"a\" : [ 1 , 2 ] } \n", Map{{"a", []any{int64(1), int64(2)}}}},
		{`[NaN,Infinity,-Infinity]`, []any{math.NaN(), math.Inf(1), math.Inf(-1)}},
		{`"\ud83d\ude00"`, "\U0001F600"},
		{`"\ud800"`, "\ufffd"},               // Python: '\ud800', which Go cannot hold
		{`"\udc00\ud800x"`, "\ufffd\ufffdx"}, // two lone surrogates
		{`"\ud800\u0041"`, "\ufffdA"},        // a high surrogate not followed by a low one
		{`"\ud83d\ude00\ud83d"`, "\U0001F600\ufffd"},
		{`"\u00E9\u00e9"`, "éé"},
		{`"\/\b\f\n\r\t\"\\"`, "/\b\f\n\r\t\"\\"},
		{`-0`, int64(0)},
		{`-0.0`, math.Copysign(0, -1)},
		{`1E2`, 100.0},
		{`1e-2`, 0.01},
		{`0.5E+1`, 5.0},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`9223372036854775808`, uint64(1 << 63)},
		{`18446744073709551615`, uint64(math.MaxUint64)},
		{`18446744073709551616`, 18446744073709551616.0}, // Python: the exact int
		{`-9223372036854775808`, int64(math.MinInt64)},
		{`-9223372036854775809`, -9223372036854775809.0}, // Python: the exact int
		{`123456789012345678`, int64(123456789012345678)},
		{`1234567890123456789`, int64(1234567890123456789)},
		{`1e400`, math.Inf(1)},
		{`-1e400`, math.Inf(-1)},
		{`1e-400`, 0.0},
		{`100000000000000000000000000000`, 1e29},
		{"\"h\u00e9llo \u2603\"", "héllo ☃"},
		{"\"\x7f\"", "\x7f"},
		{`{}`, Map{}},
		{`[]`, []any{}},
		{`[[]]`, []any{[]any{}}},
		{`true`, true},
		{`null`, nil},
	} {
		got, err := DecodeJSON([]byte(c.in))
		if err != nil {
			t.Errorf("DecodeJSON(%q): %v", c.in, err)
			continue
		}
		if !equal(got, c.want) {
			t.Errorf("DecodeJSON(%q) = %s, want %s", c.in, show(got), show(c.want))
		}
	}
}

// Inputs Python's json.loads refuses (each checked by hand), plus input that
// is not UTF-8, which raet refuses before json.loads sees it.
func TestDecodeJSONErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "01", "1.", ".5", "1e", "+1", "-", "--1", "nan", "infinity", "-NaN",
		"[1,]", `{"a":1,}`, `{"a" 1}`, "{a:1}", "{'a':1}", "\"\x01\"", "\"\t\"", `"abc`,
		`"\x41"`, `"\u12"`, `"\u12G4"`, `"\ud800\u12"`, "[1] x", "[1]]", `{"a":1}{`, "tru",
		"True", "\ufeff{}", "[1 2]", `"\`, "1 2", "\x0b1", "\u00a01", "-Infinityx", "Infinit",
		"\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "{\"a\":1}\xff", "[", "{", `{"a"`, `{"a":`, `[1`,
	} {
		v, err := DecodeJSON([]byte(in))
		if err == nil {
			t.Errorf("DecodeJSON(%q) = %s, want an error", in, show(v))
			continue
		}
		if !isBodyErr(err) {
			t.Errorf("DecodeJSON(%q): %v is not a body error", in, err)
		}
	}
}

func TestDecodeJSONMessages(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{`{"a":1, x}`, `raet: json body: invalid character 'x' at offset 8, expecting a property name in double quotes`},
		{`[1`, `raet: json body: unexpected end of input at offset 2, expecting ',' or ']'`},
		{"[\"\xff\"]", `raet: json body: invalid UTF-8 at offset 2`},
		{`[1] x`, `raet: json body: extra data at offset 4 (character 'x' after the value)`},
		{"\"a\x01\"", `raet: json body: invalid control character 0x01 at offset 2 in a string`},
	} {
		_, err := DecodeJSON([]byte(c.in))
		if err == nil || err.Error() != c.msg {
			t.Errorf("DecodeJSON(%q): %v, want %s", c.in, err, c.msg)
		}
	}
}

// A big object with many distinct keys must decode in linear time (the key
// index), and its repeated keys still follow the OrderedDict rule.
func TestDecodeJSONManyKeys(t *testing.T) {
	b := []byte{'{'}
	const n = 100000
	for i := range n {
		b = append(b, '"', 'k')
		b = appendInt(b, i)
		b = append(b, `":`...)
		b = appendInt(b, i)
		b = append(b, ',')
	}
	b = append(b, `"k5":"last"}`...)
	v, err := DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(Map)
	if len(m) != n || m[5].Key != "k5" || m[5].Value != "last" || m[n-1].Key != "k99999" {
		t.Fatalf("got %d keys, m[5] = %v", len(m), m[5])
	}
}

func appendInt(b []byte, i int) []byte {
	s, _ := AppendJSON(nil, i)
	return append(b, s...)
}

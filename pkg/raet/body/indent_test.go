package body

import (
	"math"
	"testing"
)

// The expected strings were printed by CPython 3.11's
// repr(json.dumps(v, indent=N)) for the Python value each Go value stands for.
func TestAppendJSONIndent(t *testing.T) {
	tests := []struct {
		name   string
		v      any
		indent int
		want   string
	}{
		{"empty list", []any{}, 2, `[]`},
		{"empty dict", Map{}, 2, `{}`},
		{"nil Map", Map(nil), 2, `{}`},
		{"one item", []any{int64(1)}, 2, "[\n  1\n]"},
		{"empty nested list", Map{{"a", []any{}}}, 2, "{\n  \"a\": []\n}"},
		{"empty nested dict", Map{{"a", Map{}}}, 2, "{\n  \"a\": {}\n}"},
		{"empties in list", []any{[]any{}, Map{}}, 2, "[\n  [],\n  {}\n]"},
		{"mixed", Map{
			{"a", []any{int64(1), []any{int64(2), Map{{"b", nil}}}}},
			{"c", "é\n"},
			{"d", 1.5},
			{"e", true},
			{"f", false},
		}, 2, "{\n  \"a\": [\n    1,\n    [\n      2,\n      {\n        \"b\": null\n      }\n    ]\n  ],\n  \"c\": \"\\u00e9\\n\",\n  \"d\": 1.5,\n  \"e\": true,\n  \"f\": false\n}"},
		{"string scalar", "x", 2, `"x"`},
		{"int scalar", int64(1), 2, `1`},
		{"null", nil, 2, `null`},
		{"float forms", []any{1e16, math.NaN()}, 2, "[\n  1e+16,\n  NaN\n]"},
		{"nested dict", Map{{"k", Map{{"x", int64(1)}, {"y", []any{true}}}}}, 2, "{\n  \"k\": {\n    \"x\": 1,\n    \"y\": [\n      true\n    ]\n  }\n}"},
		{"indent 0", []any{int64(1), []any{int64(2)}}, 0, "[\n1,\n[\n2\n]\n]"},
		{"indent 4", Map{{"a", int64(1)}}, 4, "{\n    \"a\": 1\n}"},
		{"indent 1", Map{{"a", Map{{"b", Map{}}}}, {"c", []any{Map{}}}}, 1, "{\n \"a\": {\n  \"b\": {}\n },\n \"c\": [\n  {}\n ]\n}"},
		{"negative indent", []any{[]any{[]any{}}}, -3, "[\n[\n[]\n]\n]"},
		{"structural characters in strings", Map{{"a\"b:,[", "x,]{:"}}, 2, "{\n  \"a\\\"b:,[\": \"x,]{:\"\n}"},
		{"escapes and numbers", Map{
			{"s", "é\U0001F600 \"q\" \\\\ {[,:]}"},
			{"n", math.Copysign(0, -1)},
			{"e", 1e-05},
			{"big", uint64(12345678901234567890)},
		}, 2, "{\n  \"s\": \"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\\\\\ {[,:]}\",\n  \"n\": -0.0,\n  \"e\": 1e-05,\n  \"big\": 12345678901234567890\n}"},
		{"keep estate", Map{
			{"name", "beta"}, {"uid", int64(2)}, {"ha", []any{"127.0.0.1", int64(7591)}},
			{"iha", nil}, {"joined", true},
		}, 2, "{\n  \"name\": \"beta\",\n  \"uid\": 2,\n  \"ha\": [\n    \"127.0.0.1\",\n    7591\n  ],\n  \"iha\": null,\n  \"joined\": true\n}"},
		{"go map sorted", map[string]any{"b": int64(1), "a": []string{}}, 2, "{\n  \"a\": [],\n  \"b\": 1\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendJSONIndent([]byte("prefix:"), tt.v, tt.indent)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "prefix:"+tt.want {
				t.Errorf("got  %q\nwant %q", got, "prefix:"+tt.want)
			}
		})
	}
}

func TestAppendJSONIndentRefuses(t *testing.T) {
	dst := []byte("keep")
	got, err := AppendJSONIndent(dst, Map{{"b", []byte("x")}}, 2)
	if err == nil {
		t.Fatal("bytes should be refused as AppendJSON refuses them")
	}
	if string(got) != "keep" {
		t.Errorf("dst changed on error: %q", got)
	}
}

// Indenting and then reading back gives the same value as the compact form.
func TestAppendJSONIndentRoundTrip(t *testing.T) {
	v := Map{{"a", []any{int64(1), "x,y", Map{{"k:", []any{}}}}}, {"b", Map{{"c", nil}}}}
	b, err := AppendJSONIndent(nil, v, 2)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := AppendJSON(nil, v)
	c2, _ := AppendJSON(nil, back)
	if string(c1) != string(c2) {
		t.Errorf("round trip: %s != %s", c2, c1)
	}
}

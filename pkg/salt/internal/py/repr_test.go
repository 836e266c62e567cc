package py

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The cases of exec's former TestPyRepr.
func TestRepr(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, "None"}, {true, "True"}, {int64(-3), "-3"}, {1.0, "1.0"}, {1e22, "1e+22"}, {0.1, "0.1"},
		{"a'b", `"a'b"`}, {"a'b\"", `'a\'b"'`}, {"tab\t", `'tab\t'`},
		{[]any{"x", int64(1)}, "['x', 1]"}, {body.Map{{Key: "k", Value: nil}}, "{'k': None}"},
	} {
		if got := Repr(c.v); got != c.want {
			t.Errorf("Repr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

// The cases of target's former TestPyStr: subdict_match compares
// str(grain).lower() with the pattern.
func TestStr(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{true, "True"}, {nil, "None"}, {int64(3), "3"}, {2.0, "2.0"}, {1e16, "1e+16"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {1234567.5, "1234567.5"},
		{[]any{"a", int64(1), nil}, "['a', 1, None]"},
		{"it's", "it's"}, {[]any{"it's"}, `["it's"]`},
		{body.Map{{Key: "k", Value: false}}, "{'k': False}"},
	}
	for _, c := range cases {
		if got := Str(c.v); got != c.want {
			t.Errorf("Str(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// What the three former copies (exec, target, output) did not agree on,
// settled as CPython writes it.
func TestReprMerged(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		// Unprintable characters beyond ASCII are escaped (exec and target
		// wrote them as they were).
		{"ü\u00a0", `'ü\xa0'`}, {"\u200b", `'\u200b'`}, {"\U000e0001", `'\U000e0001'`}, {"😀", `'😀'`},
		{"\u0085", `'\x85'`}, {"\x7f\x01", `'\x7f\x01'`},
		// bytes.__repr__ (exec wrote the text of the bytes, target and
		// output Go's %v).
		{[]byte("a'b"), `b"a'b"`}, {[]byte("é\x00"), `b'\xc3\xa9\x00'`}, {[]byte{}, "b''"},
		{[]any{[]byte("x")}, "[b'x']"},
		// Go-typed containers are dicts and lists (exec and target wrote
		// Go syntax).
		{map[string]string{"b": "1", "a": "2"}, "{'a': '2', 'b': '1'}"},
		{map[string][]string{"k": {"v"}}, "{'k': ['v']}"},
		{&body.Map{{Key: "k", Value: int64(1)}}, "{'k': 1}"},
		{[]int{1, 2}, "[1, 2]"}, {[]body.Map{{{Key: "a", Value: nil}}}, "[{'a': None}]"},
		{map[string]any{"b": 1.0, "a": nil}, "{'a': None, 'b': 1.0}"},
		// Integers of every kind, above MaxInt64 too.
		{uint64(math.MaxUint64), "18446744073709551615"}, {int8(-5), "-5"}, {float32(0.5), "0.5"},
		// Not a Python value.
		{struct{ A int }{1}, "<struct { A int } {1}>"},
		{map[any]any{int64(1): "a"}, "<map[interface {}]interface {} map[1:a]>"},
	} {
		if got := Repr(c.v); got != c.want {
			t.Errorf("Repr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestReprSorted(t *testing.T) {
	v := body.Map{{Key: "b", Value: body.Map{{Key: "y", Value: nil}, {Key: "x", Value: true}}}, {Key: "a", Value: int64(1)}}
	if got, want := Repr(v), "{'b': {'y': None, 'x': True}, 'a': 1}"; got != want {
		t.Errorf("Repr = %s, want %s", got, want)
	}
	if got, want := ReprSorted(v), "{'a': 1, 'b': {'x': True, 'y': None}}"; got != want {
		t.Errorf("ReprSorted = %s, want %s", got, want)
	}
}

func TestReprDepth(t *testing.T) {
	var v any = "x"
	for range MaxDepth + 5 {
		v = []any{v}
	}
	got := Repr(v)
	if !strings.Contains(got, "[...]") || strings.Contains(got, "'x'") {
		t.Errorf("Repr of a value nested past MaxDepth: %.40s...", got)
	}
}

func TestTuple(t *testing.T) {
	for _, c := range []struct {
		items []any
		want  string
	}{
		{nil, "()"}, {[]any{int64(1)}, "(1,)"}, {[]any{int64(1), "a"}, "(1, 'a')"},
	} {
		if got := Tuple(c.items); got != c.want {
			t.Errorf("Tuple(%v) = %s, want %s", c.items, got, c.want)
		}
	}
}

// floatRepr spells out float.__repr__'s rule from the shortest digits, as
// exec and target used to: FloatRepr takes the digits from the body
// encoder's JSON, and the two must agree on every float.
func floatRepr(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func TestFloatRepr(t *testing.T) {
	for f, want := range map[float64]string{
		math.NaN(): "nan", math.Inf(1): "inf", math.Inf(-1): "-inf", math.Copysign(0, -1): "-0.0",
		1e16: "1e+16", 1e15: "1000000000000000.0", 1.5e-5: "1.5e-05", 5e-324: "5e-324",
	} {
		if got := FloatRepr(f); got != want {
			t.Errorf("FloatRepr(%v) = %s, want %s", f, got, want)
		}
	}
	r := rand.New(rand.NewSource(1))
	for range 200000 {
		for _, f := range []float64{
			math.Float64frombits(r.Uint64()),
			r.NormFloat64() * math.Pow(10, float64(r.Intn(40)-20)),
			float64(r.Int63n(1<<54)) / math.Pow(10, float64(r.Intn(20))),
		} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
			if got, want := FloatRepr(f), floatRepr(f); got != want {
				t.Fatalf("FloatRepr(%v) = %s, want %s", f, got, want)
			}
		}
	}
}

func TestIsSpace(t *testing.T) {
	for _, r := range " \t\n\v\f\r\x1c\x1d\x1e\x1f\u0085\u00a0\u2028\u3000" {
		if !IsSpace(r) {
			t.Errorf("IsSpace(%U) = false", r)
		}
	}
	for _, r := range "a\x00\u200b_" {
		if IsSpace(r) {
			t.Errorf("IsSpace(%U) = true", r)
		}
	}
}

// A body.Map is a slice, but a dict: target asks for a list first.
func TestListItems(t *testing.T) {
	type items []body.Item
	for _, v := range []any{body.Map{{Key: "a"}}, items{}, &body.Map{}, []byte("x"), "s", map[string]any{}, nil} {
		if _, ok := ListItems(v); ok {
			t.Errorf("ListItems(%#v) is a list", v)
		}
	}
	for _, v := range []any{[]any{int64(1)}, []string{"a"}, []int{1}, []int64{1}, []map[string]any{{}}, []body.Map{{}}, [][]byte{{1}}} {
		if list, ok := ListItems(v); !ok || len(list) != 1 {
			t.Errorf("ListItems(%#v) = %v, %v", v, list, ok)
		}
	}
}

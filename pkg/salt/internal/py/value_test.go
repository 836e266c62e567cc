package py

import (
	"math"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The answers, values and exception texts alike, are CPython 3.11's.
func TestIntFloat(t *testing.T) {
	ints := []struct {
		v    any
		want int64
		err  string
	}{
		{" 1_000 ", 1000, ""},
		{"1__0", 0, "ValueError: invalid literal for int() with base 10: '1__0'"},
		{"_1", 0, "ValueError: invalid literal for int() with base 10: '_1'"},
		{3.9, 3, ""}, {-3.9, -3, ""}, {true, 1, ""}, {int64(-7), -7, ""},
		{nil, 0, "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"},
		{"abc", 0, "ValueError: invalid literal for int() with base 10: 'abc'"},
		{math.NaN(), 0, "ValueError: cannot convert float NaN to integer"},
		{math.Inf(1), 0, "OverflowError: cannot convert float infinity to integer"},
	}
	for _, c := range ints {
		got, err := Int(c.v)
		if got != c.want || errText(err) != c.err {
			t.Errorf("int(%s) = %v, %v; want %v, %q", Repr(c.v), got, err, c.want, c.err)
		}
	}
	floats := []struct {
		v    any
		want float64
		err  string
	}{
		{"1.5", 1.5, ""}, {" 2 ", 2, ""}, {"1_0.5", 10.5, ""}, {int64(3), 3, ""}, {false, 0, ""},
		{[]any{}, 0, "TypeError: float() argument must be a string or a real number, not 'list'"},
		{"x", 0, "ValueError: could not convert string to float: 'x'"},
	}
	for _, c := range floats {
		got, err := Float(c.v)
		if got != c.want || errText(err) != c.err {
			t.Errorf("float(%s) = %v, %v; want %v, %q", Repr(c.v), got, err, c.want, c.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestTruthyTypeName(t *testing.T) {
	for _, c := range []struct {
		v      any
		truthy bool
		name   string
	}{
		{nil, false, "NoneType"}, {"0", true, "str"}, {"", false, "str"}, {0.0, false, "float"},
		{int64(0), false, "int"}, {uint64(1 << 63), true, "int"}, {[]any{}, false, "list"},
		{[]any{int64(0)}, true, "list"}, {body.Map{}, false, "dict"}, {map[string]any{"a": nil}, true, "dict"},
		{true, true, "bool"}, {[]byte("x"), true, "bytes"},
	} {
		if Truthy(c.v) != c.truthy || TypeName(c.v) != c.name {
			t.Errorf("%#v: bool %v, type %s; want %v, %s", c.v, Truthy(c.v), TypeName(c.v), c.truthy, c.name)
		}
	}
}

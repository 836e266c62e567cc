package py

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// AppendJSONLayout is json.dumps with ensure_ascii off and indent=None for a
// negative indent, as Salt's json outputter writes; a lone surrogate escape
// stays escaped, a pair becomes the character, and characters below DEL
// stay escaped whatever ensure_ascii says.
func TestAppendJSONLayout(t *testing.T) {
	if got := string(relayoutJSON(nil, []byte(`["\ud800","\ud83d\ude00","\u00e9","\u0001"]`), -1, false)); got != `["\ud800", "😀", "é", "\u0001"]` {
		t.Errorf("surrogates: %q", got)
	}
	m := body.Map{{Key: "é", Value: []any{int64(1), "x"}}}
	for _, c := range []struct {
		indent int
		ascii  bool
		want   string
	}{
		{-1, false, `{"é": [1, "x"]}`},
		{2, false, "{\n  \"é\": [\n    1,\n    \"x\"\n  ]\n}"},
		{2, true, "{\n  \"\\u00e9\": [\n    1,\n    \"x\"\n  ]\n}"},
	} {
		got, err := AppendJSONLayout(nil, m, c.indent, c.ascii)
		if err != nil || string(got) != c.want {
			t.Errorf("indent %d ascii %v: %q %v, want %q", c.indent, c.ascii, got, err, c.want)
		}
	}
}

// Separators and escapes inside strings are left alone by the layout; the
// expected strings are CPython 3.11's json.dumps of the same value.
func TestAppendJSONLayoutStrings(t *testing.T) {
	v := body.Map{{Key: "a,b", Value: []any{"c:d", "q\"é,", body.Map{{Key: "k", Value: []any{}}}, nil, 1.5}}}
	for _, c := range []struct {
		indent int
		ascii  bool
		want   string
	}{
		{-1, false, `{"a,b": ["c:d", "q\"é,", {"k": []}, null, 1.5]}`},
		{1, false, "{\n \"a,b\": [\n  \"c:d\",\n  \"q\\\"é,\",\n  {\n   \"k\": []\n  },\n  null,\n  1.5\n ]\n}"},
		{0, true, "{\n\"a,b\": [\n\"c:d\",\n\"q\\\"\\u00e9,\",\n{\n\"k\": []\n},\nnull,\n1.5\n]\n}"},
	} {
		got, err := AppendJSONLayout([]byte("prefix:"), v, c.indent, c.ascii)
		if err != nil || string(got) != "prefix:"+c.want {
			t.Errorf("indent %d ascii %v: %q %v, want %q", c.indent, c.ascii, got, err, "prefix:"+c.want)
		}
	}
	if got, err := AppendJSONLayout([]byte("keep"), []any{[]byte("x")}, -1, false); err == nil || string(got) != "keep" {
		t.Errorf("bytes: %q %v, want an error and dst unchanged", got, err)
	}
}

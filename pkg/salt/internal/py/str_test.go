package py

import (
	"strings"
	"testing"
)

func TestSplitLines(t *testing.T) {
	got := SplitLines("a\r\nb\rc\n\nd\x1ce\u2028")
	want := []string{"a", "b", "c", "", "d", "e"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(SplitLines("")) != 0 {
		t.Error("empty string has lines")
	}
}

// The answers are CPython 3.11's re.match(r"\w", c), re.match(r"\d", c)
// and c.isspace().
func TestCharClasses(t *testing.T) {
	for _, c := range []struct {
		r                  rune
		word, digit, space bool
	}{
		{'a', true, false, false}, {'_', true, false, false}, {'5', true, true, false},
		{'٣', true, true, false}, {'²', true, false, false}, {'Ⅻ', true, false, false},
		{'-', false, false, false}, {'.', false, false, false}, {'é', true, false, false},
		{' ', false, false, true}, {'\u00a0', false, false, true}, {'\x1c', false, false, true},
		{'\x1f', false, false, true}, {'\x85', false, false, true}, {'\u2028', false, false, true},
		{'\t', false, false, true}, {'\u200b', false, false, false},
	} {
		if IsWord(c.r) != c.word || IsDigit(c.r) != c.digit || IsSpace(c.r) != c.space {
			t.Errorf("%q: word %v digit %v space %v, want %v %v %v",
				c.r, IsWord(c.r), IsDigit(c.r), IsSpace(c.r), c.word, c.digit, c.space)
		}
	}
}

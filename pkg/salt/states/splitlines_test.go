package states

import "testing"

// splitLines keeps each line's end, as readlines() does.
func TestSplitLinesKeepsEnds(t *testing.T) {
	got := splitLines("a\nb")
	if len(got) != 2 || got[0] != "a\n" || got[1] != "b" {
		t.Errorf("splitLines = %q", got)
	}
	if splitLines("") != nil {
		t.Error("empty text has lines")
	}
}

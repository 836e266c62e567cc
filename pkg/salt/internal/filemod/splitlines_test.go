package filemod

import (
	"testing"
)

// splitLines keeps each line's end, as readlines() does.
func TestSplitLinesKeepsEnds(t *testing.T) {
	got := SplitLines("a\nb")
	if len(got) != 2 || got[0] != "a\n" || got[1] != "b" {
		t.Errorf("splitLines = %q", got)
	}
	if SplitLines("") != nil {
		t.Error("empty text has lines")
	}
}

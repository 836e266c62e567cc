package master

import (
	"slices"
	"testing"
)

// check_minions' missing list: only a list target has one, the named ids
// with no accepted key, each once, in the order named.
func TestMissingIDs(t *testing.T) {
	for _, c := range []struct {
		tgtType string
		tgt     any
		want    []string
	}{
		{"list", "m1,ghost,,ghost,m2", []string{"ghost"}},
		{"list", []any{"ghost", "m1", "zz"}, []string{"ghost", "zz"}},
		{"list", []string{"m1", "m2"}, []string{}},
		{"glob", "ghost*", []string{}},
	} {
		if got := missingIDs(c.tgtType, c.tgt, []string{"m1", "m2"}); !slices.Equal(got, c.want) {
			t.Errorf("%s %v: %v, want %v", c.tgtType, c.tgt, got, c.want)
		}
	}
}

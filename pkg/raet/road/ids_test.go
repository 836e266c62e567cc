package road_test

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

func TestNextID(t *testing.T) {
	for _, c := range [][2]uint32{{0, 1}, {1, 2}, {0xfffffffe, 0xffffffff}, {0xffffffff, 1}} {
		if got := road.NextID(c[0]); got != c[1] {
			t.Errorf("NextID(%#x) = %#x, want %#x", c[0], got, c[1])
		}
	}
}

func TestValidSID(t *testing.T) {
	for _, c := range []struct {
		sid, old uint32
		want     bool
	}{
		{0, 5, true}, {5, 0, true}, {0, 0, true},
		{5, 5, true}, {6, 5, true}, {4, 5, false},
		{5 + 0x7fffffff, 5, true},  // just under half the range ahead
		{5 + 0x80000000, 5, false}, // half the range ahead reads as behind
		{1, 0xffffffff, true},      // a wrapped sid is newer
		{0xffffffff, 1, false},     // and the old one is stale
		{3, 0xfffffff0, true},
	} {
		if got := road.ValidSID(c.sid, c.old); got != c.want {
			t.Errorf("ValidSID(%#x, %#x) = %v, want %v", c.sid, c.old, got, c.want)
		}
	}
}

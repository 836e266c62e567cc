package master

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPresenceDiff(t *testing.T) {
	gained, lost := diff([]string{"a", "b", "c"}, []string{"d", "b", "a0"})
	if !slices.Equal(gained, []string{"a0", "d"}) || !slices.Equal(lost, []string{"a", "c"}) {
		t.Fatalf("gained %v lost %v", gained, lost)
	}
	if g, l := diff(nil, nil); g == nil || l == nil {
		t.Fatalf("nil lists: %v %v", g, l)
	}
}

// A storm's presence line names a few ids and counts the rest.
func TestPresenceLogBounded(t *testing.T) {
	var ids []string
	for i := range 5000 {
		ids = append(ids, fmt.Sprintf("m%04d", i))
	}
	s := idsForLog(ids)
	if !strings.HasSuffix(s, "and 4980 more") || strings.Contains(s, "m0020") || !strings.Contains(s, "m0019") {
		t.Fatalf("line %q", s)
	}
	if s := idsForLog([]string{"web1"}); s != "[web1]" {
		t.Fatalf("one id: %q", s)
	}
}

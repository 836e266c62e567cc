package pki

import "testing"

func TestNameMatch(t *testing.T) {
	for _, c := range []struct {
		id, glob string
		want     bool
	}{
		{"web1", "web*", true},
		{"web1", "db*,web?", true},
		{"web1", "db*,mail*", false},
		{"web1", "db*,", false}, // an empty glob matches only an empty id
		{"", "db*,", true},
		{"a,b", "a,b", false}, // the comma always separates globs
		{"web1", "[z-a!x]eb1", true},
	} {
		if got := NameMatch(c.id, c.glob); got != c.want {
			t.Errorf("NameMatch(%q, %q) = %v, want %v", c.id, c.glob, got, c.want)
		}
	}
}

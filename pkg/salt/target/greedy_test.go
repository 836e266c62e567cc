package target

import "testing"

// TestGreedy pins the master's reading of targets for a minion whose
// grains it does not have, which replaced the master's own rewriting of
// compound expressions.
func TestGreedy(t *testing.T) {
	ubuntu := map[string]any{"os": "Ubuntu", "ipv4": []any{"10.0.0.5"}}
	for _, c := range []struct {
		tgtType string
		tgt     any
		id      string
		grains  map[string]any
		greedy  bool
		want    bool
		wantErr bool
	}{
		{"grain", "os:Debian", "web1", nil, true, true, false},
		{"grain", "os:Debian", "web1", nil, false, false, false},   // not greedy: no grains, no match
		{"grain", "os:Debian", "web1", ubuntu, true, false, false}, // grains known: they decide
		{"grain_pcre", "os:Deb.*", "web1", nil, true, true, false},
		{"grain", "no-delimiter", "web1", nil, true, false, true},
		{"grain", []any{"os:Debian"}, "web1", nil, true, false, true},
		{"ipcidr", "192.168.0.0/16", "web1", nil, true, true, false},
		{"ipcidr", "192.168.0.1/16", "web1", nil, true, false, true}, // host bits set
		{"glob", "db*", "web1", nil, true, false, false},
		{"compound", "G@os:Debian and web*", "web1", nil, true, true, false},
		{"compound", "G@os:Debian and web*", "db1", nil, true, false, false},
		{"compound", "G@os:Debian and web*", "web1", ubuntu, true, false, false},
		{"compound", "not G@os:Debian", "web1", nil, true, false, false},
		{"compound", "G@no-delimiter and web*", "web1", nil, true, true, false}, // a malformed word is still taken greedily
		{"compound", "S@not-a-cidr or db*", "web1", nil, true, true, false},
		{"compound", "P:@os:Deb.* and E@^web", "web1", nil, true, true, false},
		{"compound", "L@db1 or E@^db", "web1", nil, true, false, false},
		{"compound", "G@os:Debian and and", "web1", nil, true, false, true},
	} {
		m := Matcher{ID: c.id, Grains: c.grains, Greedy: c.greedy}
		got, err := m.Match(c.tgtType, c.tgt)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("Matcher{%s, grains %v, greedy %v}.Match(%s, %v) = %v, %v; want %v, error %v",
				c.id, c.grains != nil, c.greedy, c.tgtType, c.tgt, got, err, c.want, c.wantErr)
		}
	}
}

func TestNeedsGrains(t *testing.T) {
	for _, c := range []struct {
		tgtType string
		tgt     any
		want    bool
	}{
		{"glob", "web*", false},
		{"pcre", "^web", false},
		{"list", "a,b", false},
		{"grain", "os:Ubuntu", true},
		{"grain_pcre", "os:Ub.*", true},
		{"ipcidr", "10.0.0.0/8", true},
		{"compound", "web* and G@os:Ubuntu", true},
		{"compound", "P@os:Ub.*", true},
		{"compound", []any{"S@10.0.0.0/8", "or", "db*"}, true},
		{"compound", "G:@os:Ubuntu", true},
		{"compound", "L@a,b or E@^db or web*", false},
		{"compound", "L:@G@x", false}, // only G, P, I and J take a delimiter: a glob
		{"compound", 42, false},
	} {
		if got := NeedsGrains(c.tgtType, c.tgt); got != c.want {
			t.Errorf("NeedsGrains(%s, %v) = %v, want %v", c.tgtType, c.tgt, got, c.want)
		}
	}
}

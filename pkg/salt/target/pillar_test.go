package target

import (
	"errors"
	"testing"
)

// TestPillarMatch pins pillar_match and pillar_pcre (and I@, J@) on a
// minion, against its own pillar, and on the master, greedily.
func TestPillarMatch(t *testing.T) {
	pillar := map[string]any{
		"role":  "db",
		"users": map[string]any{"alice": map[string]any{"uid": int64(1001)}},
		"tags":  []any{"blue", "green"},
		"flag":  true,
	}
	for _, c := range []struct {
		tgtType string
		tgt     any
		id      string
		pillar  map[string]any
		greedy  bool
		want    bool
		wantErr bool
	}{
		{"pillar", "role:db", "db1", pillar, false, true, false},
		{"pillar", "role:web", "db1", pillar, false, false, false},
		{"pillar", "role:D*", "db1", pillar, false, true, false}, // glob, case-insensitive as subdict_match
		{"pillar", "users:alice:uid:1001", "db1", pillar, false, true, false},
		{"pillar", "tags:green", "db1", pillar, false, true, false},
		{"pillar", "flag:true", "db1", pillar, false, true, false},
		{"pillar", "role", "db1", pillar, false, false, true}, // no delimiter
		{"pillar", "role:db", "db1", map[string]any{}, false, false, false},
		{"pillar", "role:db", "db1", nil, false, false, false},             // a minion without pillar
		{"pillar", "role:db", "db1", nil, true, true, false},               // the master, nothing cached: greedy
		{"pillar", "role:db", "db1", map[string]any{}, true, false, false}, // cached, empty: no match
		{"pillar_pcre", "role:^d.$", "db1", pillar, false, true, false},
		{"pillar_pcre", "role:^w", "db1", pillar, false, false, false},
		{"pillar_pcre", "role:(d", "db1", pillar, false, false, true},
		{"compound", "I@role:db and db*", "db1", pillar, false, true, false},
		{"compound", "I@role:web or L@x", "db1", pillar, false, false, false},
		{"compound", "J@role:^d and not I@tags:red", "db1", pillar, false, true, false},
		{"compound", "I|@users|alice|uid|1001", "db1", pillar, false, true, false},
		{"compound", "I@role:web and db*", "db1", nil, true, true, false},
		{"compound", "I@role:web and web*", "db1", nil, true, false, false},
		{"compound", "I@role:web and db*", "db1", map[string]any{"role": "db"}, true, false, false},
	} {
		m := Matcher{ID: c.id, Pillar: c.pillar, HasPillar: true, Greedy: c.greedy}
		got, err := m.Match(c.tgtType, c.tgt)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("Matcher{%s, pillar %v, greedy %v}.Match(%s, %v) = %v, %v; want %v, error %v",
				c.id, c.pillar, c.greedy, c.tgtType, c.tgt, got, err, c.want, c.wantErr)
		}
	}
}

// TestPillarWithoutPillarData: a matcher given no pillar data still says
// so, rather than answering no.
func TestPillarWithoutPillarData(t *testing.T) {
	for _, tgt := range []struct{ typ, tgt string }{{"pillar", "a:b"}, {"compound", "J@a:b"}} {
		_, err := Matcher{ID: "m", Pillar: map[string]any{"a": "b"}}.Match(tgt.typ, tgt.tgt)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("Match(%s, %s) without HasPillar: error %v, want ErrUnsupported", tgt.typ, tgt.tgt, err)
		}
	}
	if _, err := (Matcher{ID: "m", HasPillar: true}).Match("pillar_exact", "a:b"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("pillar_exact: error %v, want ErrUnsupported", err)
	}
}

func TestNeedsPillar(t *testing.T) {
	for _, c := range []struct {
		tgtType string
		tgt     any
		want    bool
	}{
		{"pillar", "a:b", true},
		{"pillar_pcre", "a:b", true},
		{"grain", "a:b", false},
		{"glob", "I@a:b", false},
		{"compound", "web* and I@a:b", true},
		{"compound", []any{"J|@a|b"}, true},
		{"compound", "G@a:b or web*", false},
	} {
		if got := NeedsPillar(c.tgtType, c.tgt); got != c.want {
			t.Errorf("NeedsPillar(%s, %v) = %v, want %v", c.tgtType, c.tgt, got, c.want)
		}
	}
}

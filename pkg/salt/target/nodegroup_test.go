package target

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testNodegroups are nodegroups as the master config gives them: compound
// strings, YAML lists, nested groups and a cycle.
var testNodegroups = map[string]any{
	"web":    "L@web1,web2",
	"plain":  "web1 db1",
	"regex":  "web[12] db1",
	"rx":     "web[12]",
	"list":   []any{"db1", "db2"},
	"listc":  []any{"G@os:Debian", "or", "db1"},
	"nested": "N@web or N@list",
	"deep":   "N@nested and not db2",
	"cyc1":   "N@cyc2",
	"cyc2":   "N@cyc1 or web1",
	"self":   "N@self",
	"empty":  "",
	"bad":    42,
	"inner":  "N@plain",
}

func TestNodegroupComp(t *testing.T) {
	cases := []struct {
		name string
		want string
		logs string
	}{
		{"web", "L@web1,web2", ""},
		// Plain ids become one L@ word, as _nodegroup_regex reads them.
		{"plain", "L@web1,db1", ""},
		{"regex", "E@web[12],db1", ""},
		{"list", "L@db1,db2", ""},
		{"listc", "G@os:Debian or db1", ""},
		// Nested groups: each expansion that took in a group is
		// parenthesised; a nested list is one L@ word.
		{"nested", "( ( L@web1,web2 ) or L@db1,db2 )", ""},
		{"deep", "( ( ( L@web1,web2 ) or L@db1,db2 ) and not db2 )", ""},
		{"inner", "( L@web1,db1 )", ""},
		// A cycle expands to nothing where it closes, with Salt's error.
		{"cyc1", "( ( or web1 ) )", `Failed nodegroup expansion: illegal nested nodegroup "cyc1"`},
		{"self", "", `Failed nodegroup expansion: illegal nested nodegroup "self"`},
		{"nope", "", `Failed nodegroup expansion: unknown nodegroup "nope"`},
		{"empty", "L@", ""},
		{"bad", "", "Nodegroup 'bad' (42) is neither a string, list nor tuple"},
	}
	for _, c := range cases {
		var logs []string
		got := NodegroupComp(c.name, testNodegroups, func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("NodegroupComp(%s) = %q, want %q", c.name, s, c.want)
		}
		if l := strings.Join(logs, "\n"); l != c.logs {
			t.Errorf("NodegroupComp(%s) logged %q, want %q", c.name, l, c.logs)
		}
	}
}

func TestResolveNodegroups(t *testing.T) {
	typ, tgt, err := ResolveNodegroups("nodegroup", "nested", testNodegroups, "/etc/salt/master", nil)
	if err != nil || typ != "compound" || tgt != "( ( L@web1,web2 ) or L@db1,db2 )" {
		t.Errorf("-N nested = %q %v %v", typ, tgt, err)
	}
	typ, tgt, err = ResolveNodegroups("compound", "N@list and not db2 or G@os:x", testNodegroups, "/etc/salt/master", nil)
	if err != nil || typ != "compound" || tgt != "L@db1,db2 and not db2 or G@os:x" {
		t.Errorf("-C N@list ... = %q %v %v", typ, tgt, err)
	}
	typ, tgt, err = ResolveNodegroups("glob", "N@web", testNodegroups, "/etc/salt/master", nil)
	if err != nil || typ != "glob" || tgt != "N@web" {
		t.Errorf("a glob is left alone, got %q %v %v", typ, tgt, err)
	}
	for _, c := range [][2]string{{"nodegroup", "nope"}, {"compound", "web1 or N@nope"}} {
		_, _, err = ResolveNodegroups(c[0], c[1], testNodegroups, "/etc/salt/master", nil)
		var ue *UnknownNodegroupError
		if !errors.As(err, &ue) || err.Error() != "Node group nope unavailable in /etc/salt/master" {
			t.Errorf("%s %s: err = %v, want Salt's unavailable error", c[0], c[1], err)
		}
	}
}

// TestNodegroupTargets matches the resolved expressions and the
// minion-side nodegroup matcher against ids.
func TestNodegroupTargets(t *testing.T) {
	ids := []string{"web1", "web2", "db1", "db2"}
	matching := func(tgtType string, tgt any, groups map[string]any) []string {
		var out []string
		for _, id := range ids {
			ok, err := Matcher{ID: id, Nodegroups: groups}.Match(tgtType, tgt)
			if err != nil {
				t.Fatalf("%s %v on %s: %v", tgtType, tgt, id, err)
			}
			if ok {
				out = append(out, id)
			}
		}
		return out
	}
	for _, c := range []struct {
		typ, tgt string
		want     []string
	}{
		{"nodegroup", "deep", []string{"web1", "web2", "db1"}},
		// Salt joins the words of a group with a regular expression
		// into one E@ word, commas and all: it matches only the ids the
		// whole expression matches.
		{"nodegroup", "regex", nil},
		{"nodegroup", "rx", []string{"web1", "web2"}},
		{"nodegroup", "nope", nil},
		{"compound", "N@web and not web2", []string{"web1"}},
		{"compound", "N@list or N@web", ids},
		// An unknown group in a compound expression is skipped, as
		// compound_match skips it.
		{"compound", "N@nope db1", []string{"db1"}},
	} {
		if got := matching(c.typ, c.tgt, testNodegroups); !slices.Equal(got, c.want) {
			t.Errorf("%s %q matched %v, want %v", c.typ, c.tgt, got, c.want)
		}
		typ, tgt, err := ResolveNodegroups(c.typ, c.tgt, testNodegroups, "m", nil)
		if err != nil {
			continue
		}
		if got := matching(typ, tgt, nil); !slices.Equal(got, c.want) {
			t.Errorf("resolved %s %q = %v matched %v, want %v", c.typ, c.tgt, tgt, got, c.want)
		}
	}
	// Without nodegroups, a minion cannot evaluate them.
	if _, err := (Matcher{ID: "web1"}).Match("nodegroup", "web"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("nodegroup without nodegroups: err = %v, want ErrUnsupported", err)
	}
	if _, err := (Matcher{ID: "web1"}).Match("compound", "N@web"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("N@ without nodegroups: err = %v, want ErrUnsupported", err)
	}
}

package py

import (
	"errors"
	"strings"
	"testing"
)

// fnmatchCases, for TestFnmatch, are Python 3.11's answers
// (fnmatch.fnmatchcase(name, pat), taken once by hand; the tests never run
// Python). It holds the former tables of pki.FnMatch and target.Glob and
// the cases where those two disagreed with each other or with Python: a
// reversed range, which pki's version turned into a pattern matching
// nothing, and a reversed range that leaves a '!' first, which negates the
// set and which target's version read as a member.
var fnmatchCases = []struct {
	pat, name string
	want      bool
}{
	{"web1", "web1", true},
	{"web*", "web1", true},
	{"*", "web1", true},
	{"*", "", true},
	{"?", "", false},
	{"web?", "web1", true},
	{"web?", "web12", false},
	{"web[0-9]", "web1", true},
	{"web[0-9]", "weba", false},
	{"web[!0-9]", "weba", true},
	{"web[!0-9]", "web1", false},
	{"web[", "web[", true},
	{"web[1", "web[1", true},
	{"a[", "a[", true},
	{"[]]", "a]", false},
	{"[]]", "]", true},
	{"[!]]", "b", true},
	{"[!]]", "]", false},
	{"[a-]", "-", true},
	{"[-a]", "-", true},
	{"[a-c]", "b", true},
	{"[a-c]", "d", false},
	{"web1", "WEB1", false},
	{"WEB*", "web1", false},
	{"web1.example.com", "web1.example.com", true},
	{"web1.example.com", "web1xexample.com", false},
	{"a*b", "a\nb", true},
	{"a*b", "a/b", true},
	{"*", "line1\nline2", true},
	{"[^]", "^", true},
	{"[\\]", "\\", true},
	{"[\\]", "x", false},
	{"[:]", ":", true},
	{"[[:alpha:]]", "a", false},
	{"[[:alpha:]]", "a]", true},
	{"[[]", "[", true},
	{"a+b", "a+b", true},
	{"a+b", "aab", false},
	{"(x)", "(x)", true},
	{"[!]", "!", false},
	{"[!]", "[!]", true},
	{"[!a-c]b", "db", true},
	{"[!a-c]b", "ab", false},
	{"web", "web1", false},
	{"[a-b-c]", "-", true},
	{"[a-b-c]", "c", true},
	{"[a-b-c]", "x", false},
	{"[+--]", "-", true},
	{"[+--]", ",", true},
	{"[--0]", "/", true},
	{"a*b*c", "aXbYbZc", true},
	{"a*b*c", "aXbYbZ", false},
	{"a\\*", "a\\b", true},
	{"a\\*", "a*", false},
	{"[*]", "*", true},
	{"[?]", "x", false},
	{"é?", "éé", true},
	{"[é]", "é", true},
	{"?", "é", true},
	{"**", "x", true},
	{"[a&&b]", "&", true},
	{"[~~]", "~", true},
	{"[a||b]", "|", true},
	{"[a||b]", "c", false},
	{"[z-a]", "b", false},
	{"[!z-a]", "m", true},
	{"[z-ab]", "b", true},
	{"[b-ac]", "c", true},
	{"[b-ac]", "b", false},
	{"[a-cb-a]", "b", true},
	{"[a-!\\]?", "\\a", true},
	{"[!éa-&]", "\n", true},
	{"[!zz-?]", "^", true},
	{"[~|\nb-*]", "|", true},
	{"[b-a-c]", "-", true},
	{"[b-a-c]", "b", false},
	{"[a--b]", "a", false},
	{"[a--b]", "b", true},
	{"[a-b--]", "-", true},
	{"[--a-]", "b", false},
	{"[--a-]", "-", true},
	{"[z-a!x]", "x", false},
	{"[z-a!x]", "y", true},
	{"[z-a!x]", "!", true},
	{"[z-a!]", "q", true},
	{"[b-!!]b", "bb", true},
	{"[a--!]", "a", true},
	{"[a--!!]", "!", false},
	{"[a--!!]", "b", true},
	{"[b-[!]", "[", true},
	{"[é-&!]", "|", true},
	{"[]-!![]", "b", true},
	{"*a*a*a*a*a*a*b", strings.Repeat("a", 60), false}, // linear, not exponential
}

func TestFnmatch(t *testing.T) {
	for _, c := range fnmatchCases {
		if got := Fnmatch(c.name, c.pat); got != c.want {
			t.Errorf("Fnmatch(%q, %q) = %v, want %v", c.name, c.pat, got, c.want)
		}
	}
}

// TestParseSetBadRange covers the guard for a set re would refuse, which
// no pattern was found to reach through translateSet.
func TestParseSetBadRange(t *testing.T) {
	atoms := []classAtom{{r: 'b'}, {r: '-'}, {r: 'a'}}
	if _, err := parseSet(atoms); !errors.Is(err, errBadRange) {
		t.Fatalf("parseSet(b-a) = %v, want errBadRange", err)
	}
	atoms[1].esc = true // b, \-, a: three members
	tok, err := parseSet(atoms)
	if err != nil || !tok.matches('-') || !tok.matches('a') || tok.matches('c') {
		t.Fatalf("parseSet(b\\-a) = %+v, %v; want the members b, - and a", tok, err)
	}
}

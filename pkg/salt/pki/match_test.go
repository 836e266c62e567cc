package pki

import "testing"

// The expectations were produced by CPython's fnmatch.fnmatchcase, the
// function Salt's name_match and expr_match call on POSIX.
func TestFnMatchPythonSemantics(t *testing.T) {
	for _, c := range []struct {
		name, pat string
		want      bool
	}{
		{"web1", "web1", true},
		{"web1", "web*", true},
		{"web1", "*", true},
		{"", "*", true},
		{"web1", "web?", true},
		{"web12", "web?", false},
		{"web1", "web[0-9]", true},
		{"weba", "web[0-9]", false},
		{"weba", "web[!0-9]", true},
		{"web1", "web[!0-9]", false},
		{"web[", "web[", true},
		{"web[1", "web[1", true},
		{"a]", "[]]", false},
		{"]", "[]]", true},
		{"b", "[!]]", true},
		{"]", "[!]]", false},
		{"-", "[a-]", true},
		{"-", "[-a]", true},
		{"b", "[a-c]", true},
		{"d", "[a-c]", false},
		{"WEB1", "web1", false},
		{"web1.example.com", "web1.example.com", true},
		{"web1xexample.com", "web1.example.com", false},
		{"a\nb", "a*b", true},
		{"a/b", "a*b", true},
		{"^", "[^]", true},
		{`\`, `[\]`, true},
		{"x", `[\]`, false},
		{":", "[:]", true},
		{"a", "[[:alpha:]]", false},
		{"a]", "[[:alpha:]]", true},
		{"[", "[[]", true},
		{"a+b", "a+b", true},
		{"aab", "a+b", false},
		{"(x)", "(x)", true},
		{"!", "[!]", false},
		{"[!]", "[!]", true},
		{"web1", "web1*", true},
		{"db", "[!a-c]b", true},
		{"ab", "[!a-c]b", false},
		{"web1", "web", false},
		{"-", "[a-b-c]", true},
		{"c", "[a-b-c]", true},
		{"x", "[a-b-c]", false},
		{"-", "[+--]", true},
		{",", "[+--]", true},
		{"b", "[z-a]", false}, // Python refuses or drops a reversed range; nothing matches
	} {
		if got := FnMatch(c.name, c.pat); got != c.want {
			t.Errorf("FnMatch(%q, %q) = %v, want %v", c.name, c.pat, got, c.want)
		}
	}
}

func TestExprMatch(t *testing.T) {
	for _, c := range []struct {
		id, expr string
		want     bool
	}{
		{"web1", "web1", true},                              // equal
		{"web1", "web*", true},                              // glob
		{"web12.example.com", `web\d+\.example\.com`, true}, // regex
		{"web12.example.org", `web\d+\.example\.com`, false},
		{"web12", `web\d`, false},            // a regex must match the whole id
		{"xweb1", `web\d`, false},            // ... from its start
		{"web1", "db1|web1", true},           // alternation, whole id
		{"web1x", "db1|web1", false},         // Salt's \A..\Z without a group would match this
		{"aweb1", "a|web1", false},           // and this
		{"web1", "web(", false},              // a regex that does not compile matches nothing
		{"web(", "web(", true},               // ... but equality still holds
		{"web1", "", false},                  // an empty line matches no id
		{"web1", `(?i)WEB1`, true},           // Go/Python inline flags
		{"db.1", "db.1", true},               //
		{"dbx1", "db.1", true},               // '.' is a regex wildcard in Salt too
		{"web1", "web[0-9]", true},           // glob class
		{"web10", "web[0-9]", false},         // one character
		{"web10", "web[0-9]+", true},         // regex reading of the same brackets
		{"minion-01", "minion-0[1-3]", true}, //
	} {
		if got := ExprMatch(c.id, c.expr); got != c.want {
			t.Errorf("ExprMatch(%q, %q) = %v, want %v", c.id, c.expr, got, c.want)
		}
	}
}

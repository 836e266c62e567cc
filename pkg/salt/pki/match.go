package pki

import (
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// FnMatch reports whether name matches the shell glob pattern as Python's
// fnmatch.fnmatch does on POSIX, which Salt uses for salt-key globs and
// signing files. It is py.Fnmatch, the one the targeting uses too, so that
// `salt-key -L 'web*'` and `salt 'web*'` select the same ids; it is
// exported here for salt-key, which cannot import the internal package.
func FnMatch(name, pattern string) bool { return py.Fnmatch(name, pattern) }

// NameMatch is Key.name_match's test of one id: glob is a comma-separated
// list of fnmatch globs, and the id is selected when any of them matches.
// salt-key's selections (Store.Match) and its listing of the master's own
// key use it alike.
func NameMatch(id, glob string) bool {
	for _, g := range strings.Split(glob, ",") {
		if FnMatch(id, g) {
			return true
		}
	}
	return false
}

// ExprMatch is Salt's salt.utils.expr_match, the test of one autosign or
// autoreject line against an id: equal, or an fnmatch glob match, or a
// regular expression that matches the whole id. The original anchors with
// r'\A{expr}\Z', which lets an alternation such as "a|b" match any id that
// starts with a or ends with b; here the expression is grouped first so
// that it must match the whole id, which is what the anchors were for. The
// expression uses Go's RE2 syntax, which covers Python's apart from
// look-around and back-references; an expression that does not compile
// matches nothing, as a re.error does in Salt.
func ExprMatch(id, expr string) bool {
	if id == expr || FnMatch(id, expr) {
		return true
	}
	re, err := regexp.Compile(`\A(?:` + expr + `)\z`)
	if err != nil {
		return false
	}
	return re.MatchString(id)
}

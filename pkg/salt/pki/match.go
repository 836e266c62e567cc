package pki

import (
	"regexp"
	"strings"
)

// FnMatch reports whether name matches the shell glob pattern with the
// semantics of Python's fnmatch.fnmatch on POSIX, which Salt uses for
// salt-key globs and signing files: '*' matches any run of characters
// (including '/' and newlines), '?' any one character, "[seq]" and
// "[!seq]" a character in or not in seq (with ranges a-z); a '[' without a
// closing ']' is a literal '['. Matching is case-sensitive and covers the
// whole name. A pattern Python would refuse (a reversed range such as
// "[z-a]") matches nothing.
func FnMatch(name, pattern string) bool {
	re, err := regexp.Compile(fnmatchRegexp(pattern))
	if err != nil {
		return false
	}
	return re.MatchString(name)
}

// fnmatchRegexp is fnmatch.translate for Go's regexp syntax.
func fnmatchRegexp(pat string) string {
	p := []rune(pat)
	var b strings.Builder
	b.WriteString(`\A(?s:`)
	for i := 0; i < len(p); {
		c := p[i]
		i++
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(charClass(p[i:j]))
			i = j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)\z`)
	return b.String()
}

// charClass turns the inside of a glob bracket expression into a Go
// character class. Every member is quoted, so characters special inside a
// Go class ('\\', '[', ']', '^', and '[' before ':') stay literal, as
// Python makes them; only '-' between two members makes a range.
func charClass(seq []rune) string {
	var b strings.Builder
	b.WriteByte('[')
	if len(seq) > 0 && seq[0] == '!' {
		b.WriteByte('^')
		seq = seq[1:]
	}
	lit := func(r rune) {
		if r == '-' {
			b.WriteString(`\-`)
		} else {
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	for i := 0; i < len(seq); i++ {
		lit(seq[i])
		if i+2 < len(seq) && seq[i+1] == '-' {
			b.WriteByte('-')
			lit(seq[i+2])
			i += 2
		}
	}
	b.WriteByte(']')
	return b.String()
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

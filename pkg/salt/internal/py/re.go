package py

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CompileRegexp compiles a Python regular expression for use as Python's
// re.match uses it, which is how Salt's pcre and grain_pcre matchers and the
// E@ and P@ compound words test a target (spec/salt-raet.md §3.3): anchored
// at the start of the subject only. The pattern is translated to RE2 syntax
// first (see TranslateRegexp); what RE2 cannot express is an error naming
// the construct, never a silently different match.
func CompileRegexp(pattern string) (*regexp.Regexp, error) {
	tr, err := TranslateRegexp(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`\A(?:` + tr + `)`)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", pattern, err)
	}
	return re, nil
}

// TranslateRegexp rewrites the common Python re syntax that RE2 spells
// differently or not at all:
//
//   - `\Z` becomes `\z`; `$` outside a set and without the (?m) flag
//     becomes `(?:\n?\z)`, since Python's `$` also matches before a final
//     newline;
//   - `{,n}` becomes `{0,n}`;
//   - `\uXXXX`, `\UXXXXXXXX`, `\xhh` and octal escapes become `\x{...}`;
//     `\b` inside a set is a backspace;
//   - `(?#...)` comments are dropped, and the flags a (ASCII, which RE2 is
//     already) and u (the default) are dropped; i, m and s are kept;
//   - a `[` inside a set is a literal, as in Python, not a POSIX class.
//
// Lookahead and lookbehind, backreferences (`\1`, `(?P=name)`),
// conditionals, atomic groups, possessive quantifiers, `\N{...}`, and the
// flags x and L have no RE2 equivalent and give an error.
func TranslateRegexp(pattern string) (string, error) {
	t := pyreTranslator{src: pattern}
	if err := t.run(); err != nil {
		return "", fmt.Errorf("regular expression %q: %v", pattern, err)
	}
	return t.out.String(), nil
}

var (
	reGlobalFlags = regexp.MustCompile(`^\(\?([aiLmsux]+)\)`)
	reEmptyMin    = regexp.MustCompile(`^\{,(\d*)\}`)
	reFlagGroup   = regexp.MustCompile(`^\(\?([aiLmsux]*)(?:-([imsx]+))?([:)])`)
)

type pyreTranslator struct {
	src       string
	i         int
	out       strings.Builder
	multiline bool // a global (?m) was seen
}

func (t *pyreTranslator) run() error {
	// A global flag group at the very start decides how `$` is read.
	if m := reGlobalFlags.FindStringSubmatch(t.src); m != nil {
		t.multiline = strings.Contains(m[1], "m")
	}
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch c {
		case '\\':
			if err := t.escape(false); err != nil {
				return err
			}
		case '[':
			if err := t.class(); err != nil {
				return err
			}
		case '(':
			if err := t.group(); err != nil {
				return err
			}
		case '$':
			t.i++
			if t.multiline {
				t.out.WriteByte('$')
			} else {
				t.out.WriteString(`(?:\n?\z)`)
			}
		case '{':
			t.brace()
		default:
			r, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.i += size
			t.out.WriteRune(r)
		}
	}
	return nil
}

// brace turns Python's `{,n}` into `{0,n}`; any other brace is copied, and
// RE2, like Python, reads a brace that is no valid repeat as a literal.
func (t *pyreTranslator) brace() {
	rest := t.src[t.i:]
	if m := reEmptyMin.FindStringSubmatch(rest); m != nil {
		t.out.WriteString("{0," + m[1] + "}")
		t.i += len(m[0])
		return
	}
	t.out.WriteByte('{')
	t.i++
}

func (t *pyreTranslator) group() error {
	rest := t.src[t.i:]
	if !strings.HasPrefix(rest, "(?") {
		t.out.WriteByte('(')
		t.i++
		return nil
	}
	switch {
	case strings.HasPrefix(rest, "(?:"):
		t.out.WriteString("(?:")
		t.i += 3
		return nil
	case strings.HasPrefix(rest, "(?P<"):
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return fmt.Errorf("missing > in group name")
		}
		t.out.WriteString(rest[:end+1])
		t.i += end + 1
		return nil
	case strings.HasPrefix(rest, "(?P="):
		return fmt.Errorf("backreference %s is not supported", upTo(rest, ')'))
	case strings.HasPrefix(rest, "(?#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return fmt.Errorf("missing ), unterminated comment")
		}
		t.i += end + 1
		return nil
	case strings.HasPrefix(rest, "(?="), strings.HasPrefix(rest, "(?!"):
		return fmt.Errorf("lookahead %s is not supported", rest[:3])
	case strings.HasPrefix(rest, "(?<=") || strings.HasPrefix(rest, "(?<!"):
		return fmt.Errorf("lookbehind %s is not supported", rest[:4])
	case strings.HasPrefix(rest, "(?<"):
		// Python 3.12 has no (?<name>...); this is what 3.11 says too.
		return fmt.Errorf("unknown extension %s", rest[:3])
	case strings.HasPrefix(rest, "(?("):
		return fmt.Errorf("conditional group %s is not supported", upTo(rest, ')'))
	case strings.HasPrefix(rest, "(?>"):
		return fmt.Errorf("atomic group (?> is not supported")
	}
	// Flags: (?flags) or (?flags-flags:...).
	m := reFlagGroup.FindStringSubmatch(rest)
	if m == nil {
		return fmt.Errorf("unknown extension %s", rest[:min(3, len(rest))])
	}
	on, off, end := m[1], m[2], m[3]
	if strings.ContainsAny(on+off, "xL") {
		return fmt.Errorf("flag %s is not supported", upTo(rest, end[0]))
	}
	keep := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == 'a' || r == 'u' {
				return -1
			}
			return r
		}, s)
	}
	on, off = keep(on), keep(off)
	t.i += len(m[0])
	switch {
	case end == ")" && on == "" && off == "":
		// (?u) or (?a): nothing left to say.
	case end == ")":
		t.out.WriteString("(?" + on)
		if off != "" {
			t.out.WriteString("-" + off)
		}
		t.out.WriteByte(')')
	default:
		t.out.WriteString("(?" + on)
		if off != "" {
			t.out.WriteString("-" + off)
		}
		t.out.WriteByte(':')
	}
	return nil
}

func upTo(s string, c byte) string {
	if i := strings.IndexByte(s, c); i >= 0 {
		return s[:i+1]
	}
	return s
}

// class copies a set `[...]`, translating escapes and making a nested `[`
// literal. Python's rule that a `]` first in the set is a member is RE2's
// too.
func (t *pyreTranslator) class() error {
	t.out.WriteByte('[')
	t.i++
	if t.i < len(t.src) && t.src[t.i] == '^' {
		t.out.WriteByte('^')
		t.i++
	}
	if t.i < len(t.src) && t.src[t.i] == ']' {
		t.out.WriteString(`\]`)
		t.i++
	}
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch c {
		case ']':
			t.out.WriteByte(']')
			t.i++
			return nil
		case '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		case '[':
			t.out.WriteString(`\[`)
			t.i++
		default:
			r, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.i += size
			t.out.WriteRune(r)
		}
	}
	return fmt.Errorf("unterminated character set")
}

// escape translates one backslash escape, in a set or outside one.
func (t *pyreTranslator) escape(inClass bool) error {
	if t.i+1 >= len(t.src) {
		return fmt.Errorf("bad escape (end of pattern)")
	}
	t.i++ // the backslash
	r, size := utf8.DecodeRuneInString(t.src[t.i:])
	t.i += size
	switch {
	case r == 'd' || r == 'D' || r == 's' || r == 'S' || r == 'w' || r == 'W':
		t.out.WriteString(`\` + string(r))
	case r == 'a' || r == 'f' || r == 'n' || r == 'r' || r == 't' || r == 'v':
		t.out.WriteString(`\` + string(r))
	case r == 'b':
		if inClass {
			t.out.WriteString(`\x08`)
		} else {
			t.out.WriteString(`\b`)
		}
	case (r == 'A' || r == 'B' || r == 'Z') && !inClass:
		if r == 'Z' {
			t.out.WriteString(`\z`)
		} else {
			t.out.WriteString(`\` + string(r))
		}
	case r == 'x':
		return t.hexEscape(2, `\x`)
	case r == 'u':
		return t.hexEscape(4, `\u`)
	case r == 'U':
		return t.hexEscape(8, `\U`)
	case r == 'N':
		return fmt.Errorf(`named character escape \N is not supported`)
	case r == '0':
		return t.octal(1, 2)
	case r >= '1' && r <= '9':
		// Three octal digits are an octal escape; anything else is a
		// group reference, which RE2 has no way to express.
		if t.i+1 < len(t.src) && isOctal(rune(t.src[t.i-1])) && isOctal(rune(t.src[t.i])) && isOctal(rune(t.src[t.i+1])) {
			return t.octal(1, 2)
		}
		if inClass {
			return fmt.Errorf(`bad escape \%c`, r)
		}
		return fmt.Errorf(`backreference \%c is not supported`, r)
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
		return fmt.Errorf(`bad escape \%c`, r)
	default:
		// Python lets any other character be escaped to stand for itself;
		// RE2 only punctuation, so write it in the form RE2 accepts.
		t.out.WriteString(regexp.QuoteMeta(string(r)))
	}
	return nil
}

func isOctal(r rune) bool { return r >= '0' && r <= '7' }

// octal reads Python's octal escape, whose first digit has been consumed:
// up to `more` further octal digits.
func (t *pyreTranslator) octal(have, more int) error {
	start := t.i - have
	for more > 0 && t.i < len(t.src) && isOctal(rune(t.src[t.i])) {
		t.i++
		more--
	}
	v, err := strconv.ParseUint(t.src[start:t.i], 8, 32)
	if err != nil || v > 0o377 {
		return fmt.Errorf(`octal escape value \%s outside of range 0-0o377`, t.src[start:t.i])
	}
	fmt.Fprintf(&t.out, `\x{%x}`, v)
	return nil
}

func (t *pyreTranslator) hexEscape(n int, name string) error {
	if t.i+n > len(t.src) {
		return fmt.Errorf(`incomplete escape %s%s`, name, t.src[t.i:])
	}
	digits := t.src[t.i : t.i+n]
	v, err := strconv.ParseUint(digits, 16, 32)
	if err != nil {
		return fmt.Errorf(`incomplete escape %s%s`, name, digits)
	}
	if v > utf8.MaxRune {
		return fmt.Errorf(`bad escape %s%s`, name, digits)
	}
	t.i += n
	fmt.Fprintf(&t.out, `\x{%x}`, v)
	return nil
}

package py

import (
	"unicode"
	"unicode/utf8"
)

// The character classes and line rules of Python's str, which Salt's
// parsing and output lean on: what strip strips, what \w and \d match in a
// str pattern, where splitlines splits.

// IsSpace is str.isspace for one character, what str.strip and str.rstrip
// strip: Go's white space plus the separators \x1c-\x1f.
func IsSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// IsWord is Python's \w for str patterns: alphanumeric (letters and
// numbers of every script) or '_'.
func IsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// IsDigit is Python's \d for str patterns: a decimal digit of any script.
func IsDigit(r rune) bool { return unicode.Is(unicode.Nd, r) }

// SplitLines is str.splitlines(): the lines without their ends, which are
// \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029.
func SplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf { // printable ASCII: no line break
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i])
			i += size
			if r == '\r' && i < len(s) && s[i] == '\n' {
				i++
			}
			start = i
			continue
		}
		i += size
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

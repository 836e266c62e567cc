package py

import (
	"errors"
	"strings"
)

// The errors ShlexSplit reports, with the messages of the ValueError
// Python's shlex.split raises.
var (
	ErrNoClosingQuotation = errors.New("No closing quotation")
	ErrNoEscapedCharacter = errors.New("No escaped character")
)

// ShlexSplit is Python's shlex.split(s) (POSIX mode, comments off), which
// Salt uses through salt.utils.args.shlex_split, for instance to turn a
// command into an argument vector and to read /proc/cmdline: whitespace
// separates words; single quotes keep everything; in double quotes a
// backslash escapes only \ and "; outside quotes a backslash escapes the
// next character.
//
// An unterminated quote or a trailing backslash is Python's ValueError,
// reported as ErrNoClosingQuotation or ErrNoEscapedCharacter. The words
// are returned with the error all the same, the unfinished last one
// included, for callers that would rather keep what could be read than
// nothing.
func ShlexSplit(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // a word has started
		quote rune
		esc   bool
	)
	for _, r := range s {
		switch {
		case esc:
			if quote == '"' && r != '"' && r != '\\' {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			esc = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				esc = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			esc, in = true, true
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	switch {
	case quote != 0:
		return words, ErrNoClosingQuotation
	case esc:
		return words, ErrNoEscapedCharacter
	}
	return words, nil
}

// ShlexQuote is shlex.quote: s as one word for a POSIX shell, left alone
// when it holds only characters no shell treats specially.
func ShlexQuote(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		if !(r < 128 && (IsWord(r) || strings.ContainsRune("@%+=:,./-", r))) {
			return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
		}
	}
	return s
}

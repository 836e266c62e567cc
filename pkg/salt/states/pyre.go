package states

import (
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Python's re as the file edits use it: flags as Salt's _get_flags reads
// them, re.subn with a Python replacement template, and
// build_whitespace_split_regex.

// toInt is an integer argument (not a bool, not a string).
func toInt(v any) (int, bool) {
	switch v.(type) {
	case bool, string, nil:
		return 0, false
	}
	n, err := py.Int(v)
	return int(n), err == nil
}

// whitespaceSplitRegex is salt.utils.stringutils.build_whitespace_split_regex:
// the text's words, any whitespace around and between them, each line
// matched whole.
func whitespaceSplitRegex(text string) string {
	var sb strings.Builder
	for _, line := range py.SplitLines(text) {
		parts := shlexWords(line)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		sb.WriteString(`(?:[\s]+)?` + strings.Join(parts, `(?:[\s]+)?`) + `(?:[\s]+)?`)
	}
	return `(?m)^` + sb.String() + `$`
}

// shlexWords is shlex.shlex(text) with whitespace_split and no comments,
// non-POSIX: words split on whitespace, a quoted part (quotes kept)
// staying whole.
func shlexWords(text string) []string {
	quotes := `'"`
	switch {
	case strings.Contains(text, `'\"`):
		quotes = ""
	case strings.Contains(text, "'"):
		quotes = `"`
	case strings.Contains(text, `"`):
		quotes = "'"
	}
	var words []string
	var cur strings.Builder
	var inQuote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inQuote != 0:
			cur.WriteByte(c)
			if c == inQuote {
				inQuote = 0
			}
		case strings.IndexByte(quotes, c) >= 0:
			inQuote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

package states

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Python's re as the file edits use it: flags as Salt's _get_flags reads
// them, re.subn with a Python replacement template, and
// build_whitespace_split_regex.

// Python's re flag values.
const (
	reIgnoreCase = 2
	reMultiline  = 8
	reDotAll     = 16
)

// reFlags is file._get_flags: an int, a flag name, or a list of names.
func reFlags(v any) (int, error) {
	if n, ok := toInt(v); ok {
		return n, nil
	}
	names := []any{v}
	if l, ok := v.([]any); ok {
		names = l
	}
	flags := 0
	for _, n := range names {
		switch strings.ToUpper(pyStr(n)) {
		case "IGNORECASE", "I":
			flags |= reIgnoreCase
		case "MULTILINE", "M":
			flags |= reMultiline
		case "DOTALL", "S":
			flags |= reDotAll
		default:
			return 0, fmt.Errorf("Invalid re flag given: %s", pyStr(n))
		}
	}
	return flags, nil
}

// toInt is an integer argument (not a bool, not a string).
func toInt(v any) (int, bool) {
	switch v.(type) {
	case bool, string, nil:
		return 0, false
	}
	n, err := py.Int(v)
	return int(n), err == nil
}

// compilePy compiles a Python pattern with Python flags, unanchored, as
// re.compile(pattern, flags).search sees it.
func compilePy(pattern string, flags int) (*regexp.Regexp, error) {
	prefix := ""
	if flags&reIgnoreCase != 0 {
		prefix += "i"
	}
	if flags&reMultiline != 0 {
		prefix += "m"
	}
	if flags&reDotAll != 0 {
		prefix += "s"
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	tr, err := py.TranslateRegexp(pattern)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(tr)
}

// pySubn is re.subn(pattern, repl, data, count): count 0 replaces every
// match; repl is a Python template (\1, \g<1>, \g<name>, \n, \\).
func pySubn(re *regexp.Regexp, repl string, data string, count int) (string, int, error) {
	n := -1
	if count > 0 {
		n = count
	}
	matches := re.FindAllStringSubmatchIndex(data, n)
	var sb strings.Builder
	last := 0
	for _, m := range matches {
		sb.WriteString(data[last:m[0]])
		if err := expandPy(&sb, re, repl, data, m); err != nil {
			return "", 0, err
		}
		last = m[1]
	}
	sb.WriteString(data[last:])
	return sb.String(), len(matches), nil
}

// expandPy writes Python's expansion of the template repl for match m.
func expandPy(sb *strings.Builder, re *regexp.Regexp, repl, data string, m []int) error {
	group := func(i int) error {
		if i < 0 || 2*i+1 >= len(m) {
			return fmt.Errorf("invalid group reference %d", i)
		}
		if m[2*i] >= 0 {
			sb.WriteString(data[m[2*i]:m[2*i+1]])
		}
		return nil
	}
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		if ch != '\\' || i+1 == len(repl) {
			sb.WriteByte(ch)
			continue
		}
		i++
		switch c := repl[i]; {
		case c >= '0' && c <= '9':
			j := i + 1
			if j < len(repl) && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(repl[i:j])
			if err := group(n); err != nil {
				return err
			}
			i = j - 1
		case c == 'g' && i+1 < len(repl) && repl[i+1] == '<':
			end := strings.IndexByte(repl[i:], '>')
			if end < 0 {
				return fmt.Errorf("missing >, unterminated name")
			}
			name := repl[i+2 : i+end]
			n, err := strconv.Atoi(name)
			if err != nil {
				if n = re.SubexpIndex(name); n < 0 {
					return fmt.Errorf("unknown group name '%s'", name)
				}
			}
			if err := group(n); err != nil {
				return err
			}
			i += end
		default:
			if esc, ok := pyEscapes[c]; ok {
				sb.WriteByte(esc)
			} else if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
				return fmt.Errorf("bad escape \\%c", c)
			} else {
				sb.WriteByte('\\')
				sb.WriteByte(c)
			}
		}
	}
	return nil
}

var pyEscapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'f': '\f', 'v': '\v', 'a': '\a', 'b': '\b', '\\': '\\'}

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

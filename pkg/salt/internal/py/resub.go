package py

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Python's re beyond the pattern translation (re.go): compile with
// flags, and re.subn with a Python replacement template.

// Python's re flag values.
const (
	ReIgnoreCase = 2
	ReMultiline  = 8
	ReDotAll     = 16
)

// CompileFlags compiles a Python pattern with Python flags, unanchored, as
// re.compile(pattern, flags).search sees it.
func CompileFlags(pattern string, flags int) (*regexp.Regexp, error) {
	prefix := ""
	if flags&ReIgnoreCase != 0 {
		prefix += "i"
	}
	if flags&ReMultiline != 0 {
		prefix += "m"
	}
	if flags&ReDotAll != 0 {
		prefix += "s"
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	tr, err := TranslateRegexp(pattern)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(tr)
}

// Subn is re.subn(pattern, repl, data, count): count 0 replaces every
// match; repl is a Python template (\1, \g<1>, \g<name>, \n, \\).
func Subn(re *regexp.Regexp, repl string, data string, count int) (string, int, error) {
	n := -1
	if count > 0 {
		n = count
	}
	matches := re.FindAllStringSubmatchIndex(data, n)
	var sb strings.Builder
	last := 0
	for _, m := range matches {
		sb.WriteString(data[last:m[0]])
		if err := expandTemplate(&sb, re, repl, data, m); err != nil {
			return "", 0, err
		}
		last = m[1]
	}
	sb.WriteString(data[last:])
	return sb.String(), len(matches), nil
}

// expandTemplate writes Python's expansion of the template repl for match m.
func expandTemplate(sb *strings.Builder, re *regexp.Regexp, repl, data string, m []int) error {
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

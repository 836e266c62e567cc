package exec

import "strings"

// shlexSplit is Python's shlex.split(s) (POSIX mode, comments off), which
// Salt uses to turn a command into an argument vector when it is not run
// through a shell (salt.utils.args.shlex_split): whitespace separates
// words; single quotes keep everything; in double quotes a backslash
// escapes only \ and "; outside quotes a backslash escapes the next
// character. An unterminated quote or trailing backslash is
// Python's ValueError.
func shlexSplit(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool
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
	if quote != 0 {
		return nil, &Exception{Type: "ValueError", Msg: "No closing quotation"}
	}
	if esc {
		return nil, &Exception{Type: "ValueError", Msg: "No escaped character"}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

package output

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// pprintWidth is pprint.PrettyPrinter's default width.
const pprintWidth = 80

// Pprint is the pprint outputter (salt/output/pprint_out.py):
// pprint.pformat(data) of Python 3, or pformat(data, indent=n) when
// output_indent (--out-indent) is set and not negative. It is the
// one-line repr, dict keys sorted, when that fits in 80 columns; a dict,
// list or string wider than that is broken over lines as pformat breaks
// it: a dict's items one per line, aligned after the "{", a list's items
// likewise, and a long string split after white space into adjacent
// literals (in parentheses at the top level).
func Pprint(data any, indent *int) string {
	p := pprinter{indentPer: 1}
	if indent != nil && *indent >= 0 {
		p.indentPer = *indent
	}
	var b strings.Builder
	p.format(&b, data, 0, 0, 1)
	return b.String()
}

type pprinter struct {
	indentPer int
}

func width(s string) int { return utf8.RuneCountInString(s) }

// format is PrettyPrinter._format: the repr when it fits in what is left
// of the line (80 - indent - allowance), else the breaking printer of
// dicts, lists and strings; level is the nesting level, 1 at the top.
func (p pprinter) format(b *strings.Builder, v any, indent, allowance, level int) {
	rep := py.ReprSorted(v)
	if level > py.MaxDepth || width(rep) <= pprintWidth-indent-allowance {
		b.WriteString(rep)
		return
	}
	if s, ok := v.(string); ok {
		p.str(b, s, rep, indent, allowance, level+1)
		return
	}
	if _, isBytes := v.([]byte); !isBytes {
		if items, ok := py.DictItems(v); ok {
			p.dict(b, items, indent, allowance, level+1)
			return
		}
		if list, ok := py.ListItems(v); ok {
			p.list(b, list, indent, allowance, level+1)
			return
		}
	}
	b.WriteString(rep)
}

// dict is _pprint_dict and _format_dict_items: keys sorted, each item
// "key: value" with the value aligned after the key, items separated by
// ",\n" and the indent.
func (p pprinter) dict(b *strings.Builder, items Map, indent, allowance, level int) {
	b.WriteByte('{')
	if p.indentPer > 1 {
		b.WriteString(strings.Repeat(" ", p.indentPer-1))
	}
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(x, y Item) int { return strings.Compare(x.Key, y.Key) })
	indent += p.indentPer
	allowance++
	for i, it := range items {
		last := i == len(items)-1
		rep := py.Quote(it.Key)
		b.WriteString(rep + ": ")
		a := 1
		if last {
			a = allowance
		}
		p.format(b, it.Value, indent+width(rep)+2, a, level)
		if !last {
			b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
	}
	b.WriteByte('}')
}

// list is _pprint_list and _format_items (compact off): one item a line.
func (p pprinter) list(b *strings.Builder, list []any, indent, allowance, level int) {
	b.WriteByte('[')
	allowance++
	indent += p.indentPer
	if p.indentPer > 1 {
		b.WriteString(strings.Repeat(" ", p.indentPer-1))
	}
	for i, x := range list {
		last := i == len(list)-1
		if i > 0 {
			b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
		a := 1
		if last {
			a = allowance
		}
		p.format(b, x, indent, a, level)
	}
	b.WriteByte(']')
}

// pprintParts is _pprint_str's split of a line into words each with the
// white space after it.
var pprintParts = regexp.MustCompile(`\S*\s*`)

// str is _pprint_str: a string too wide is cut into the literals of its
// lines, a line still too wide after white space, the literals one under
// the other, in parentheses at the top level. rep is the string's repr.
func (p pprinter) str(b *strings.Builder, s, rep string, indent, allowance, level int) {
	lines := splitLinesKeep(s)
	if level == 2 { // pformat's level 1: the string is the whole data
		indent++
		allowance++
	}
	maxWidth := pprintWidth - indent
	maxWidth1 := maxWidth
	var chunks []string
	for i, line := range lines {
		rep = py.Quote(line)
		lastLine := i == len(lines)-1
		if lastLine {
			maxWidth1 -= allowance
		}
		if width(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := pprintParts.FindAllString(line, -1)
		maxWidth2, current := maxWidth, ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && lastLine {
				maxWidth2 -= allowance
			}
			if width(py.Quote(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, py.Quote(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, py.Quote(current))
		}
	}
	if len(chunks) == 1 {
		b.WriteString(rep) // as pformat: the last line's repr
		return
	}
	if level == 2 {
		b.WriteByte('(')
	}
	b.WriteString(strings.Join(chunks, "\n"+strings.Repeat(" ", indent)))
	if level == 2 {
		b.WriteByte(')')
	}
}

// splitLinesKeep is str.splitlines(True): the lines with their ends.
func splitLinesKeep(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
		if i < 0 {
			out = append(out, s)
			break
		}
		n := 1
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		} else if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError {
			n = size
		}
		out = append(out, s[:i+n])
		s = s[i+n:]
	}
	return out
}

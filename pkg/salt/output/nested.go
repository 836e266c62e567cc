package output

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The colours the nested and no_return outputters use besides those of the
// key outputter (salt.utils.color.get_colors: CYAN, YELLOW, LIGHT_YELLOW).
const (
	colorCyan        = "\x1b[0;36m"
	colorYellow      = "\x1b[0;33m"
	colorLightYellow = "\x1b[0;1;33m"
)

// NestedOptions are the parts of Salt's opts and display_output's keywords
// the nested outputter reads.
type NestedOptions struct {
	// Color turns on the ANSI colours (opts color).
	Color bool
	// Retcode is the _retcode display_output passes: when it is not 0,
	// dict keys, "----------" and "|_" are red rather than cyan and green.
	Retcode int
	// Indent is nested_indent, the indent of the top level (0).
	Indent int
	// KeepEscapes keeps ESC characters in strings; Salt's default
	// (strip_colors: True) shows them as '?', so that a minion's output
	// cannot send escape sequences to the operator's terminal.
	KeepEscapes bool
}

// Nested is the nested outputter (salt/output/nested.py of Salt 3006), the
// default way the salt command prints a return:
//
//   - None, True, False and numbers: str() of them (repr for numbers);
//   - a string: line by line (str.splitlines, so "" prints no line at
//     all), the first line after the prefix, the others under it;
//   - a list: each scalar item as "- item"; an item that is a list or a
//     dict as "|_" and then the item indented by 2 (a list's items each
//     with "- ");
//   - a dict: when not at indent 0, a "----------" line; then each key in
//     sorted order as "key:" and its value indented by 4.
//
// Lines are joined with "\n" and the text has no final newline (Display
// adds one). Dict keys of a Map are sorted too: Salt only keeps the order
// of an OrderedDict, and returns reach the CLI as plain dicts.
func Nested(data any, o NestedOptions) string {
	n := nestDisplay{opts: o}
	if o.Color {
		n.green, n.cyan, n.red, n.yellow, n.lightYellow, n.endc = colorGreen, colorCyan, colorRed, colorYellow, colorLightYellow, colorEnd
	}
	lines := n.display(data, o.Indent, "", nil, 0)
	return strings.Join(lines, "\n")
}

type nestDisplay struct {
	opts                                        NestedOptions
	green, cyan, red, yellow, lightYellow, endc string
}

// ustring is NestDisplay.ustring: indent, colour, prefix, text, end of
// colour, suffix.
func (n *nestDisplay) ustring(indent int, color, msg, prefix, suffix string) string {
	return strings.Repeat(" ", indent) + color + prefix + msg + n.endc + suffix
}

func (n *nestDisplay) display(v any, indent int, prefix string, out []string, depth int) []string {
	if depth > py.MaxDepth {
		return append(out, n.ustring(indent, n.yellow, "...", prefix, ""))
	}
	if b, ok := v.([]byte); ok {
		// to_unicode; bytes that are not UTF-8 are shown as such.
		if !utf8.Valid(b) {
			return append(out, n.ustring(indent, n.yellow, "Not string data", prefix, ""))
		}
		v = string(b)
	}
	switch x := v.(type) {
	case nil, bool:
		s, _ := py.ScalarRepr(x)
		return append(out, n.ustring(indent, n.lightYellow, s, prefix, ""))
	case string:
		for i, line := range py.SplitLines(x) {
			lp := prefix
			if i > 0 {
				lp = strings.Repeat(" ", utf8.RuneCountInString(prefix))
			}
			if !n.opts.KeepEscapes {
				line = stripEsc(line)
			}
			out = append(out, n.ustring(indent, n.green, line, lp, ""))
		}
		return out
	}
	if s, ok := py.ScalarRepr(v); ok {
		// A number: repr() of it.
		return append(out, n.ustring(indent, n.lightYellow, s, prefix, ""))
	}
	if items, ok := nestedDictItems(v); ok {
		keyColor := n.cyan
		if n.opts.Retcode != 0 {
			keyColor = n.red
		}
		if indent != 0 {
			out = append(out, n.ustring(indent, keyColor, "----------", "", ""))
		}
		for _, it := range items {
			out = append(out, n.ustring(indent, keyColor, it.Key, prefix, ":"))
			out = n.display(it.Value, indent+4, "", out, depth+1)
		}
		return out
	}
	if list, ok := py.ListItems(v); ok {
		color := n.green
		if n.opts.Retcode != 0 {
			color = n.red
		}
		for _, item := range list {
			_, isDict := nestedDictItems(item)
			_, isList := py.ListItems(item)
			if isDict || isList {
				out = append(out, n.ustring(indent, color, "|_", "", ""))
				p := "- "
				if isDict {
					p = ""
				}
				out = n.display(item, indent+2, p, out, depth+1)
				continue
			}
			out = n.display(item, indent, "- ", out, depth+1)
		}
		return out
	}
	// Not a Python value. Salt prints nothing for a type it does not know;
	// showing what it is loses nothing.
	return append(out, n.ustring(indent, n.lightYellow, fmt.Sprintf("%v", v), prefix, ""))
}

// nestedDictItems returns a dict's items with their keys sorted, as
// sorted(ret) orders them (code point order, which is byte order for
// UTF-8). A mapping with keys that are not strings (msgpack allows them)
// has them shown as str() shows them.
func nestedDictItems(v any) ([]Item, bool) {
	if m, ok := v.(map[any]any); ok {
		items := make([]Item, 0, len(m))
		for k, val := range m {
			items = append(items, Item{Key: py.Str(k), Value: val})
		}
		slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		return items, true
	}
	items, ok := py.DictItems(v)
	if !ok {
		return nil, false
	}
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
	return items, true
}

// NoReturn is the no_return outputter (salt/output/no_return.py), which the
// salt command uses for a minion that did not return: a string is written
// line by line (split on "\n", so an empty line is kept, indented), a dict
// key by key in sorted order as "key:" with its value indented by 4; each
// line ends with "\n". With color, keys are cyan and the text red.
func NoReturn(data any, color bool) string {
	red, cyan, endc := "", "", ""
	if color {
		red, cyan, endc = colorRed, colorCyan, colorEnd
	}
	var b strings.Builder
	var walk func(v any, indent int, depth int)
	walk = func(v any, indent int, depth int) {
		if depth > py.MaxDepth {
			return
		}
		switch x := v.(type) {
		case string:
			for _, line := range strings.Split(x, "\n") {
				b.WriteString(red + strings.Repeat(" ", indent) + line + endc + "\n")
			}
			return
		}
		if items, ok := nestedDictItems(v); ok {
			for _, it := range items {
				b.WriteString(cyan + strings.Repeat(" ", indent) + it.Key + endc + ":\n")
				walk(it.Value, indent+4, depth+1)
			}
		}
		// Anything else: nothing, as in Salt.
	}
	walk(data, 0, 0)
	return b.String()
}

package output

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Raw is the raw outputter (salt/output/raw.py): str(data), which for a
// string is the string itself and for anything else its Python repr.
func Raw(data any) string {
	if s, ok := data.(string); ok {
		return s
	}
	return Repr(data)
}

// Txt is the txt outputter (salt/output/txt.py). For a dict, each key is
// written as "key: value" — a string value once per line of it (none for
// an empty string, as str.splitlines gives none), anything else as str()
// writes it. A string is written as it is; anything else as
// pprint.pformat writes it, approximated here by its repr with dict keys
// sorted (pformat's wrapping of reprs wider than 80 columns is not
// reproduced).
func Txt(data any) string {
	var b strings.Builder
	if pairs, ok := dictItems(data); ok {
		for _, it := range pairs {
			key := str(it.Key)
			if s, ok := it.Value.(string); ok {
				for _, line := range splitLines(s) {
					b.WriteString(key + ": " + line + "\n")
				}
				continue
			}
			b.WriteString(key + ": " + str(it.Value) + "\n")
		}
		return b.String()
	}
	if s, ok := data.(string); ok {
		return s + "\n"
	}
	return reprSorted(data) + "\n"
}

// str is Python's str(): strings as they are, everything else as repr.
func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr is Python's repr() of the value: 'text' with Python's escapes,
// None, True, False, integers, floats in repr form, [a, b] and {'k': v}.
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, false, 0)
	return b.String()
}

// reprSorted is Repr with every dict's keys sorted, as pprint writes them.
func reprSorted(v any) string {
	var b strings.Builder
	writeRepr(&b, v, true, 0)
	return b.String()
}

const maxReprDepth = 1000

func writeRepr(b *strings.Builder, v any, sortDicts bool, depth int) {
	if depth > maxReprDepth {
		b.WriteString("...")
		return
	}
	if s, ok := scalarRepr(v); ok {
		b.WriteString(s)
		return
	}
	if items, ok := dictItems(v); ok {
		if sortDicts {
			items = slices.Clone(items)
			slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		}
		b.WriteByte('{')
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(it.Key))
			b.WriteString(": ")
			writeRepr(b, it.Value, sortDicts, depth+1)
		}
		b.WriteByte('}')
		return
	}
	if list, ok := listItems(v); ok {
		b.WriteByte('[')
		for i, x := range list {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x, sortDicts, depth+1)
		}
		b.WriteByte(']')
		return
	}
	// Something that is not a Python value: say what it is, as repr() of
	// an arbitrary object would.
	fmt.Fprintf(b, "<%T %v>", v, v)
}

// scalarRepr is repr() of the values that are not containers.
func scalarRepr(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "None", true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case string:
		return pyStrRepr(x), true
	case float64:
		return pyFloatRepr(x), true
	case float32:
		return pyFloatRepr(float64(x)), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// pyFloatRepr is float.__repr__: the shortest round-tripping digits, with
// nan and inf spelled as Python spells them.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// json.dumps writes finite floats with float.__repr__.
	b, err := body.AppendJSON(nil, f)
	if err != nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return string(b)
}

// pyStrRepr is str.__repr__ (CPython unicode_repr): single quotes unless
// the text holds a single quote and no double quote; backslash escapes for
// the quote, backslash, \t, \n and \r; \xNN for other controls and DEL;
// printable non-ASCII as it is, and \xNN, \uNNNN or \UNNNNNNNN for the rest.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case unicode.IsPrint(r):
			// Includes U+FFFD, which bytes that are not UTF-8 (a Python
			// str could not hold them) decode to.
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// splitLines is str.splitlines(): the lines without their ends, which are
// \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029.
func splitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
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

// pyIsSpace is str.isspace for one character: Go's white space plus the
// separators \x1c-\x1f, which Python also strips.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// dictItems returns the items of a dict-like value in the order Python
// would iterate them: a Map in its order, a Go map with sorted keys.
func dictItems(v any) ([]Item, bool) {
	switch x := v.(type) {
	case Map:
		return x, true
	case *Map:
		if x == nil {
			return nil, false
		}
		return *x, true
	case map[string]any:
		return sortedItems(x), true
	case map[string]string:
		return sortedItems(x), true
	case map[string][]string:
		return sortedItems(x), true
	}
	return nil, false
}

func sortedItems[V any](m map[string]V) []Item {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	items := make([]Item, len(keys))
	for i, k := range keys {
		items[i] = Item{Key: k, Value: m[k]}
	}
	return items
}

// listItems returns the elements of a list-like value.
func listItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []Map:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out, true
	}
	return nil, false
}

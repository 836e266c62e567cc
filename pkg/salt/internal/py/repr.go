// Python's str(), repr() and the spellings of its values.

package py

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// MaxDepth is how deeply nested a value the writers here follow; deeper
// containers are written as "..." (reprlib's spelling of what it leaves
// out), so that a hostile or cyclic value cannot exhaust the stack.
const MaxDepth = 1000

// Str is Python's str(v): a string as it is, anything else as its repr.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr is Python's repr(v): 'text' with Python's escapes, b'bytes', None,
// True, False, integers, floats in repr form, [a, b] and {'k': v} with the
// dict's keys in its order.
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, false, 0)
	return b.String()
}

// ReprSorted is Repr with every dict's keys sorted, as pprint.pformat
// writes them (its wrapping of lines wider than 80 columns is not
// reproduced). The txt outputter writes non-dict data this way.
func ReprSorted(v any) string {
	var b strings.Builder
	writeRepr(&b, v, true, 0)
	return b.String()
}

// Tuple is repr() of a tuple of items: "()", "(1,)", "(1, 2)".
func Tuple(items []any) string {
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = Repr(e)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func writeRepr(b *strings.Builder, v any, sortDicts bool, depth int) {
	if depth > MaxDepth {
		b.WriteString("...")
		return
	}
	if s, ok := ScalarRepr(v); ok {
		b.WriteString(s)
		return
	}
	if x, ok := v.([]byte); ok {
		b.WriteString(BytesRepr(x))
		return
	}
	if items, ok := DictItems(v); ok {
		if sortDicts {
			items = slices.Clone(items)
			slices.SortStableFunc(items, func(a, b body.Item) int { return strings.Compare(a.Key, b.Key) })
		}
		b.WriteByte('{')
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(Quote(it.Key))
			b.WriteString(": ")
			writeRepr(b, it.Value, sortDicts, depth+1)
		}
		b.WriteByte('}')
		return
	}
	if list, ok := ListItems(v); ok {
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

// ScalarRepr is repr() of the values that are neither containers nor bytes:
// None, booleans, strings and numbers. ok is false for anything else, so
// that callers can tell a scalar from what they must walk or convert.
func ScalarRepr(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "None", true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case string:
		return Quote(x), true
	case float64:
		return FloatRepr(x), true
	case float32:
		return FloatRepr(float64(x)), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// FloatRepr is float.__repr__: the shortest digits that read back to f, in
// fixed notation with a fractional part for exponents from -4 to 15 and in
// exponent notation otherwise; nan and inf spelled as Python spells them.
func FloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// json.dumps writes finite floats with float.__repr__, and the body
	// encoder reproduces that; one implementation of the digits serves both.
	b, err := body.AppendJSON(nil, f)
	if err != nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return string(b)
}

// Quote is str.__repr__ (CPython unicode_repr): single quotes unless the
// text holds a single quote and no double quote; backslash escapes for the
// quote, backslash, \t, \n and \r; \xNN for other controls and DEL;
// printable non-ASCII as it is, and \xNN, \uNNNN or \UNNNNNNNN for the rest.
func Quote(s string) string {
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

// BytesRepr is bytes.__repr__: b'...' with the quote str.__repr__ would
// pick, \t \n \r \\ and the quote escaped, printable ASCII as it is and
// \xNN for the rest.
func BytesRepr(b []byte) string {
	quote := byte('\'')
	if slices.Contains(b, '\'') && !slices.Contains(b, '"') {
		quote = '"'
	}
	var s strings.Builder
	s.WriteString("b")
	s.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(quote)
	return s.String()
}

// DictItems returns the items of a dict-like value in the order Python
// would iterate them: a body.Map in its order (the Map itself), a Go map
// with sorted keys (a new Map).
// A mapping with keys that are not strings (map[any]any) is not one of
// them; callers that meet those handle them themselves.
func DictItems(v any) (body.Map, bool) {
	switch x := v.(type) {
	case body.Map:
		return x, true
	case *body.Map:
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

var itemType = reflect.TypeFor[body.Item]()

func sortedItems[V any](m map[string]V) body.Map {
	keys := slices.Sorted(maps.Keys(m))
	items := make(body.Map, len(keys))
	for i, k := range keys {
		items[i] = body.Item{Key: k, Value: m[k]}
	}
	return items
}

// ListItems returns the elements of a list-like value: any Go slice except
// []byte, which is bytes, and a body.Map (or another slice of body.Item),
// which is a dict; callers may ask for a list before they ask for a dict.
func ListItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []body.Map:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 && rv.Type().Elem() != itemType {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out, true
	}
	return nil, false
}

package body

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendJSON appends v to dst as Python's json.dumps(v, separators=(',', ':'))
// writes the Python value v stands for: ensure_ascii on, NaN and the
// infinities allowed, floats in repr form. Plain Go maps have no order, so
// their keys are written sorted. Bytes and msgpack extensions are refused, as
// json.dumps refuses bytes. Structs go through encoding/json and keep their
// field order, with two losses that encoding/json imposes: a float field
// holding a whole number comes out as an integer ("1", not "1.0"), and a NaN
// or infinite float field is an error.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	return appendJSON(dst, v, 0)
}

func appendJSON(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return appendJSONString(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case float64:
		return appendPyFloat(dst, x), nil
	case float32:
		// Python has only doubles: write the double the float32 stands for,
		// as the msgpack side does.
		return appendPyFloat(dst, float64(x)), nil
	case []byte:
		return dst, errf("json body: bytes cannot be written as JSON (Python's json.dumps refuses them)")
	case Ext:
		return dst, errf("json body: msgpack extension type %d cannot be written as JSON", x.Type)
	case Map:
		return appendJSONMap(dst, x, depth)
	case *Map:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return appendJSONMap(dst, *x, depth)
	case []any:
		return appendJSONSlice(dst, x, depth)
	case []Map:
		return appendJSONSlice(dst, x, depth)
	case []string:
		return appendJSONSlice(dst, x, depth)
	case []int:
		return appendJSONSlice(dst, x, depth)
	case []int64:
		return appendJSONSlice(dst, x, depth)
	case []float64:
		return appendJSONSlice(dst, x, depth)
	case map[string]any:
		return appendJSONStringMap(dst, x, depth)
	case map[string]string:
		return appendJSONStringMap(dst, x, depth)
	case map[any]any:
		return appendJSONAnyMap(dst, x, depth)
	case json.Number:
		return appendJSONNumber(dst, x)
	}
	return appendJSONReflect(dst, v, depth)
}

func appendJSONMap(dst []byte, m Map, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("json", maxDepth)
	}
	if m == nil {
		// Only a nil Map at the top is an empty body; nested it is still {}.
		return append(dst, "{}"...), nil
	}
	dst = append(dst, '{')
	var err error
	for i := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, m[i].Key)
		dst = append(dst, ':')
		if dst, err = appendJSON(dst, m[i].Value, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendJSONSlice[T any](dst []byte, s []T, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("json", maxDepth)
	}
	// A nil slice is still a list: Go code uses nil for "no arguments" as
	// Python code uses [].
	dst = append(dst, '[')
	var err error
	for i := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = appendJSON(dst, s[i], depth); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func appendJSONStringMap[V any](dst []byte, m map[string]V, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("json", maxDepth)
	}
	keys := slices.Sorted(maps.Keys(m))
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		if dst, err = appendJSON(dst, m[k], depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendJSONAnyMap(dst []byte, m map[any]any, depth int) ([]byte, error) {
	return appendJSONPairs(dst, sortedPairs(m), depth)
}

// appendJSONPairs writes an object from key-value pairs already in order.
func appendJSONPairs(dst []byte, pairs []keyValue, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("json", maxDepth)
	}
	dst = append(dst, '{')
	var err error
	for i, kv := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = appendJSONKey(dst, kv.k); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if dst, err = appendJSON(dst, kv.v, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendJSONKey writes a non-string key as json.dumps does: bools, None,
// ints and floats become strings; anything else is a TypeError in Python.
func appendJSONKey(dst []byte, k any) ([]byte, error) {
	switch x := k.(type) {
	case string:
		return appendJSONString(dst, x), nil
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		dst = append(dst, '"')
		dst, _ = appendJSON(dst, x, 0)
		return append(dst, '"'), nil
	}
	s, ok := scalarKey(k)
	if !ok {
		return dst, errf("json body: map key of type %T: keys must be str, int, float, bool or None", k)
	}
	return appendJSONKey(dst, s)
}

func appendJSONNumber(dst []byte, n json.Number) ([]byte, error) {
	// Re-read the number so that it is written the Python way (1E5 -> 100000.0).
	v, err := DecodeJSON([]byte(n))
	if err != nil {
		return dst, err
	}
	switch v.(type) {
	case int64, uint64, float64:
		return appendJSON(dst, v, 0)
	}
	return dst, errf("json body: json.Number %q is not a number", string(n))
}

// jsonSafe marks the bytes ensure_ascii writes as they are: printable ASCII
// other than the quote and the backslash.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as Python's ensure_ascii encoder does: short
// escapes for \" \\ \n \r \t \b \f, lowercase \u00XX for the other controls
// and DEL, \uXXXX for non-ASCII, and surrogate pairs above U+FFFF. '/' is
// left alone. A byte that is not UTF-8 is written as \ufffd, the character it
// decodes to; a Python str could not hold it.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendU4(dst, rune(c))
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				dst = appendU4(appendU4(dst, r1), r2)
			} else {
				dst = appendU4(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendPyFloat writes f as Python's float.__repr__ does, which json.dumps
// uses: the shortest digits that read back to f (Go's shortest formatting
// finds the same ones), in fixed notation with at least one fractional digit
// when the decimal point falls between 10^-4 and 10^16, and in exponent
// notation (at least two exponent digits, no ".0") otherwise.
func appendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd[d]
	mant := e
	if mant[0] == '-' {
		dst = append(dst, '-')
		mant = mant[1:]
	}
	ei := 0
	for mant[ei] != 'e' {
		ei++
	}
	exp, neg := 0, mant[ei+1] == '-'
	for _, c := range mant[ei+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	// The digits without the point: the value is 0.DIGITS x 10^decpt.
	var digs [24]byte
	nd := copy(digs[:], mant[:1])
	if ei > 1 {
		nd += copy(digs[nd:], mant[2:ei])
	}
	decpt := exp + 1
	if decpt <= -4 || decpt > 16 {
		// Go writes this form exactly as Python does: "1e+16", "1.5e-05".
		return append(dst, mant...)
	}
	d := digs[:nd]
	switch {
	case decpt <= 0:
		dst = append(dst, '0', '.')
		for range -decpt {
			dst = append(dst, '0')
		}
		dst = append(dst, d...)
	case decpt >= nd:
		dst = append(dst, d...)
		for range decpt - nd {
			dst = append(dst, '0')
		}
		dst = append(dst, '.', '0')
	default:
		dst = append(dst, d[:decpt]...)
		dst = append(dst, '.')
		dst = append(dst, d[decpt:]...)
	}
	return dst
}

package body

import (
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"slices"
)

// AppendMsgpack appends v to dst as msgpack.dumps(v) from msgpack-python 1.0
// writes the Python value v stands for: strings in the str family, bytes in
// the bin family, every integer in its smallest encoding, every float as a
// float64, Ext as fixext/ext. Plain Go maps have no order, so their keys are
// written sorted. Named types, and slices and maps of other element types,
// are taken apart by reflection and follow the same rules. Structs go through the reflection encoder of github.com/vmihailenco/msgpack/v5
// (msgpack tags, else json tags, name the fields) and are then rewritten by
// the rules above. That encoder sorts only the keys of map[string]string,
// map[string]bool and map[string]any, so a struct field holding another kind
// of Go map comes out in Go's random order; use a Map there.
func AppendMsgpack(dst []byte, v any) ([]byte, error) {
	return appendMsgpack(dst, v, 0)
}

func appendMsgpack(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, 0xc0), nil
	case bool:
		if x {
			return append(dst, 0xc3), nil
		}
		return append(dst, 0xc2), nil
	case string:
		return appendMsgpackStr(dst, x)
	case []byte:
		return appendMsgpackBin(dst, x)
	case Ext:
		if uint64(len(x.Data)) > math.MaxUint32 {
			return dst, errf("msgpack body: extension of %d bytes is too long", len(x.Data))
		}
		return appendMsgpackExt(dst, x), nil
	case Map:
		return appendMsgpackMap(dst, x, depth)
	case *Map:
		if x == nil {
			return append(dst, 0xc0), nil
		}
		return appendMsgpackMap(dst, *x, depth)
	case []any:
		return appendMsgpackSlice(dst, x, depth)
	case []Map:
		return appendMsgpackSlice(dst, x, depth)
	case []string:
		return appendMsgpackSlice(dst, x, depth)
	case []int:
		return appendMsgpackSlice(dst, x, depth)
	case []int64:
		return appendMsgpackSlice(dst, x, depth)
	case []float64:
		return appendMsgpackSlice(dst, x, depth)
	case map[string]any:
		return appendMsgpackStringMap(dst, x, depth)
	case map[string]string:
		return appendMsgpackStringMap(dst, x, depth)
	case map[any]any:
		return appendMsgpackAnyMap(dst, x, depth)
	case json.Number:
		return appendMsgpackJSONNumber(dst, x, depth)
	}
	if out, ok := appendMsgpackNumber(dst, v); ok {
		return out, nil
	}
	return appendMsgpackReflect(dst, v, depth)
}

// appendMsgpackNumber writes a value of one of Go's number types; ok is
// false for any other type.
func appendMsgpackNumber(dst []byte, v any) (out []byte, ok bool) {
	switch x := v.(type) {
	case int:
		return appendMsgpackInt(dst, int64(x)), true
	case int8:
		return appendMsgpackInt(dst, int64(x)), true
	case int16:
		return appendMsgpackInt(dst, int64(x)), true
	case int32:
		return appendMsgpackInt(dst, int64(x)), true
	case int64:
		return appendMsgpackInt(dst, x), true
	case uint:
		return appendMsgpackUint(dst, uint64(x)), true
	case uint8:
		return appendMsgpackUint(dst, uint64(x)), true
	case uint16:
		return appendMsgpackUint(dst, uint64(x)), true
	case uint32:
		return appendMsgpackUint(dst, uint64(x)), true
	case uint64:
		return appendMsgpackUint(dst, x), true
	case float64:
		return appendMsgpackFloat(dst, x), true
	case float32:
		// msgpack-python writes every float as a double (use_single_float
		// is off), so a float32 goes out widened.
		return appendMsgpackFloat(dst, float64(x)), true
	}
	return dst, false
}

// appendMsgpackJSONNumber writes a json.Number as the integer or float it
// reads as.
func appendMsgpackJSONNumber(dst []byte, x json.Number, depth int) ([]byte, error) {
	n, err := DecodeJSON([]byte(x))
	if err != nil {
		return dst, err
	}
	switch n.(type) {
	case int64, uint64, float64:
		return appendMsgpack(dst, n, depth)
	}
	return dst, errf("msgpack body: json.Number %q is not a number", string(x))
}

// appendMsgpackInt and appendMsgpackUint choose the encoding as
// msgpack-python's pack_template.h does: the smallest that holds the value,
// unsigned for non-negative values, signed for negative ones.
func appendMsgpackInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return appendMsgpackUint(dst, uint64(n))
	}
	switch {
	case n >= -32:
		return append(dst, byte(n))
	case n >= math.MinInt8:
		return append(dst, 0xd0, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(n))
}

func appendMsgpackUint(dst []byte, n uint64) []byte {
	switch {
	case n <= math.MaxInt8:
		return append(dst, byte(n))
	case n <= math.MaxUint8:
		return append(dst, 0xcc, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), n)
}

// appendMsgpackFloat writes a NaN as Python's float('nan') is written (the
// quiet NaN 0x7ff8000000000000, sign kept): Go's math.NaN() has another
// payload, and the bytes would differ for the same Python value.
func appendMsgpackFloat(dst []byte, f float64) []byte {
	bits := math.Float64bits(f)
	if f != f {
		bits = bits&(1<<63) | 0x7ff8000000000000
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), bits)
}

func appendMsgpackStr(dst []byte, s string) ([]byte, error) {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, 0xd9, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	case uint64(n) <= math.MaxUint32:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	default:
		return dst, errf("msgpack body: string of %d bytes is too long", n)
	}
	return append(dst, s...), nil
}

func appendMsgpackBin(dst []byte, b []byte) ([]byte, error) {
	n := len(b)
	switch {
	case n <= math.MaxUint8:
		dst = append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	case uint64(n) <= math.MaxUint32:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	default:
		return dst, errf("msgpack body: bytes of length %d are too long", n)
	}
	return append(dst, b...), nil
}

// appendMsgpackExt uses a fixext whenever the length allows, as
// msgpack-python's msgpack_pack_ext does.
func appendMsgpackExt(dst []byte, e Ext) []byte {
	n := len(e.Data)
	switch {
	case n == 1:
		dst = append(dst, 0xd4)
	case n == 2:
		dst = append(dst, 0xd5)
	case n == 4:
		dst = append(dst, 0xd6)
	case n == 8:
		dst = append(dst, 0xd7)
	case n == 16:
		dst = append(dst, 0xd8)
	case n <= math.MaxUint8:
		dst = append(dst, 0xc7, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc8), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc9), uint32(n))
	}
	dst = append(dst, byte(e.Type))
	return append(dst, e.Data...)
}

func appendMsgpackArrayHead(dst []byte, n int) ([]byte, error) {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n)), nil
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n)), nil
	case uint64(n) <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n)), nil
	}
	return dst, errf("msgpack body: list of %d items is too long", n)
}

func appendMsgpackMapHead(dst []byte, n int) ([]byte, error) {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n)), nil
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n)), nil
	case uint64(n) <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n)), nil
	}
	return dst, errf("msgpack body: mapping of %d entries is too long", n)
}

func appendMsgpackMap(dst []byte, m Map, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("msgpack", maxDepth)
	}
	dst, err := appendMsgpackMapHead(dst, len(m))
	if err != nil {
		return dst, err
	}
	for i := range m {
		if dst, err = appendMsgpackStr(dst, m[i].Key); err != nil {
			return dst, err
		}
		if dst, err = appendMsgpack(dst, m[i].Value, depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func appendMsgpackSlice[T any](dst []byte, s []T, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("msgpack", maxDepth)
	}
	dst, err := appendMsgpackArrayHead(dst, len(s))
	if err != nil {
		return dst, err
	}
	for i := range s {
		if dst, err = appendMsgpack(dst, s[i], depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func appendMsgpackStringMap[V any](dst []byte, m map[string]V, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("msgpack", maxDepth)
	}
	keys := slices.Sorted(maps.Keys(m))
	dst, err := appendMsgpackMapHead(dst, len(keys))
	if err != nil {
		return dst, err
	}
	for _, k := range keys {
		if dst, err = appendMsgpackStr(dst, k); err != nil {
			return dst, err
		}
		if dst, err = appendMsgpack(dst, m[k], depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func appendMsgpackAnyMap(dst []byte, m map[any]any, depth int) ([]byte, error) {
	return appendMsgpackPairs(dst, sortedPairs(m), depth)
}

func appendMsgpackPairs(dst []byte, kvs []keyValue, depth int) ([]byte, error) {
	if depth++; depth > maxDepth {
		return dst, errTooDeep("msgpack", maxDepth)
	}
	dst, err := appendMsgpackMapHead(dst, len(kvs))
	if err != nil {
		return dst, err
	}
	for _, kv := range kvs {
		if dst, err = appendMsgpack(dst, kv.k, depth); err != nil {
			return dst, err
		}
		if dst, err = appendMsgpack(dst, kv.v, depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

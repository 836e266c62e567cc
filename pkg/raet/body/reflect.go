package body

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"
)

// Values the encoders do not know by type are walked here. Named scalars,
// slices, arrays, maps and pointers are taken apart by kind and written by
// the same rules as their plain counterparts. Structs and types that marshal
// themselves are handed to a reflection encoder (encoding/json for JSON,
// vmihailenco/msgpack for msgpack) whose output is read back with this
// package's decoder and written again: the library knows the field names and
// tags, this package knows what Python would have written.

var (
	mapType              = reflect.TypeFor[Map]()
	jsonMarshalerType    = reflect.TypeFor[json.Marshaler]()
	textMarshalerType    = reflect.TypeFor[encoding.TextMarshaler]()
	binaryMarshalerType  = reflect.TypeFor[encoding.BinaryMarshaler]()
	msgpackEncoderType   = reflect.TypeFor[msgpack.CustomEncoder]()
	msgpackMarshalerType = reflect.TypeFor[msgpack.Marshaler]()
)

func implementsAny(t reflect.Type, ifaces ...reflect.Type) bool {
	for _, it := range ifaces {
		if t.Implements(it) {
			return true
		}
	}
	return false
}

func isBytes(t reflect.Type) bool {
	return (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() == reflect.Uint8
}

func appendJSONReflect(dst []byte, v any, depth int) ([]byte, error) {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	if t.Kind() == reflect.Slice && t.ConvertibleTo(mapType) {
		return appendJSONMap(dst, rv.Convert(mapType).Interface().(Map), depth)
	}
	if t.Kind() == reflect.Struct || implementsAny(t, jsonMarshalerType, textMarshalerType) {
		return appendJSONStdlib(dst, v, depth)
	}
	switch rv.Kind() {
	case reflect.Bool:
		return appendJSON(dst, rv.Bool(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return appendPyFloat(dst, rv.Float()), nil
	case reflect.String:
		return appendJSONString(dst, rv.String()), nil
	case reflect.Slice, reflect.Array:
		if isBytes(t) {
			return dst, errf("json body: bytes (%T) cannot be written as JSON (Python's json.dumps refuses them)", v)
		}
		if depth++; depth > maxDepth {
			return dst, errTooDeep("json", maxDepth)
		}
		dst = append(dst, '[')
		var err error
		for i := range rv.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendJSON(dst, rv.Index(i).Interface(), depth); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case reflect.Map:
		return appendJSONPairs(dst, reflectPairs(rv), depth)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		// Counted as a level so that a pointer that points at itself ends.
		if depth++; depth > maxDepth {
			return dst, errTooDeep("json", maxDepth)
		}
		return appendJSON(dst, rv.Elem().Interface(), depth)
	}
	return dst, errf("json body: cannot write a Go %T", v)
}

func appendJSONStdlib(dst []byte, v any, depth int) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, errf("json body: %T: %v", v, err)
	}
	x, err := DecodeJSON(b)
	if err != nil {
		return dst, err
	}
	return appendJSON(dst, x, depth)
}

func appendMsgpackReflect(dst []byte, v any, depth int) ([]byte, error) {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	if t.Kind() == reflect.Slice && t.ConvertibleTo(mapType) {
		return appendMsgpackMap(dst, rv.Convert(mapType).Interface().(Map), depth)
	}
	if t.Kind() == reflect.Struct || implementsAny(t, msgpackEncoderType, msgpackMarshalerType, binaryMarshalerType, textMarshalerType) {
		return appendMsgpackLibrary(dst, v, depth)
	}
	switch rv.Kind() {
	case reflect.Bool:
		return appendMsgpack(dst, rv.Bool(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendMsgpackInt(dst, rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendMsgpackUint(dst, rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return appendMsgpackFloat(dst, rv.Float()), nil
	case reflect.String:
		return appendMsgpackStr(dst, rv.String())
	case reflect.Slice, reflect.Array:
		if isBytes(t) {
			if rv.Kind() == reflect.Slice {
				return appendMsgpackBin(dst, rv.Bytes())
			}
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return appendMsgpackBin(dst, b)
		}
		if depth++; depth > maxDepth {
			return dst, errTooDeep("msgpack", maxDepth)
		}
		dst, err := appendMsgpackArrayHead(dst, rv.Len())
		if err != nil {
			return dst, err
		}
		for i := range rv.Len() {
			if dst, err = appendMsgpack(dst, rv.Index(i).Interface(), depth); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case reflect.Map:
		return appendMsgpackPairs(dst, reflectPairs(rv), depth)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(dst, 0xc0), nil
		}
		if depth++; depth > maxDepth {
			return dst, errTooDeep("msgpack", maxDepth)
		}
		return appendMsgpack(dst, rv.Elem().Interface(), depth)
	}
	return dst, errf("msgpack body: cannot write a Go %T", v)
}

// appendMsgpackLibrary lets vmihailenco/msgpack encode a struct (msgpack tags
// first, json tags when a field has none) and then rewrites the result, so
// that its float32s become doubles and its ints shrink as Python's would.
func appendMsgpackLibrary(dst []byte, v any, depth int) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.GetEncoder()
	enc.Reset(&buf)
	enc.UseCompactInts(true)
	enc.SetSortMapKeys(true)
	enc.SetCustomStructTag("json")
	err := enc.Encode(v)
	msgpack.PutEncoder(enc)
	if err != nil {
		return dst, errf("msgpack body: %T: %v", v, err)
	}
	x, err := DecodeMsgpack(buf.Bytes())
	if err != nil {
		return dst, err
	}
	return appendMsgpack(dst, x, depth)
}

// reflectPairs returns the entries of any Go map in key order.
func reflectPairs(rv reflect.Value) []keyValue {
	kv := make([]keyValue, 0, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		kv = append(kv, keyValue{it.Key().Interface(), it.Value().Interface()})
	}
	sortPairs(kv)
	return kv
}

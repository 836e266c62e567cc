// Package body serialises RAET message bodies the way raet 0.6.9 does, byte
// for byte (../shared/spec/raet-protocol.md §3.4, vectors/lane/README.md).
//
// A body is a Python mapping written one of two ways:
//
//   - json (bk 1, lane pk 0): json.dumps(body, separators=(',', ':')) from the
//     stdlib, so ensure_ascii (non-ASCII as lowercase \uXXXX, surrogate pairs
//     above the BMP), Python float repr, and NaN/Infinity/-Infinity.
//   - msgpack (bk 3, lane pk 1): msgpack.dumps(body) with msgpack-python 1.0
//     defaults: str in the str family, bytes in the bin family, ints in their
//     smallest encoding, floats always float64. Peers older than 1.0 wrote
//     bytes in the str family too; those read back as Go strings.
//
// Key order is insertion order, so bodies are ordered Maps. An empty mapping
// is not serialised at all: it goes on the wire as zero bytes, and zero bytes
// read back as an empty mapping. Anything else must read back as a mapping.
//
// Decoding is for datagrams from anyone: malformed input returns an error
// (raet.ErrBody), never panics, and allocates no more than the input can
// justify.
package body

import (
	"github.com/saltraet/saltraet/pkg/raet"
)

// maxDepth bounds the nesting of arrays and maps, so that a hostile body of
// nothing but opening brackets cannot exhaust the stack. msgpack-python
// itself refuses more than 1024 levels (StackError).
const maxDepth = 1024

func errf(format string, args ...any) error {
	return raet.Errorf(raet.CodeBody, format, args...)
}

// Encode serialises v as a body of the given kind. kind is raet.BodyJSON or
// raet.BodyMsgpack; raet.BodyNada gives nil, nil. An empty mapping (an empty
// Map, a nil value, an empty Go map, a struct that writes no fields) gives zero
// bytes: the reference's empty-body rule. A value that does not serialise to
// a mapping is an error, since no receiver would accept it. Other kinds
// (raw, unknown) carry no mapping and give a raet.ErrKind error.
func Encode(kind raet.BodyKind, v any) ([]byte, error) {
	switch kind {
	case raet.BodyNada:
		return nil, nil
	case raet.BodyJSON, raet.BodyMsgpack:
	default:
		return nil, raet.Errorf(raet.CodeKind, "body kind %v is not a mapping serialisation", kind)
	}
	if isEmpty(v) {
		return nil, nil
	}
	var (
		b   []byte
		err error
	)
	switch kind {
	case raet.BodyJSON:
		b, err = AppendJSON(nil, v)
		if err != nil {
			return nil, err
		}
		switch {
		case len(b) > 0 && b[0] == '{':
			if len(b) == 2 {
				return nil, nil
			}
		case string(b) == "null":
			return nil, nil
		default:
			return nil, errf("body is %s, not a mapping", withArticle(jsonKindName(b)))
		}
	case raet.BodyMsgpack:
		b, err = AppendMsgpack(make([]byte, 0, sizeHint(v)), v)
		if err != nil {
			return nil, err
		}
		switch c := b[0]; {
		case c == 0x80 || c == 0xc0:
			return nil, nil
		case c >= 0x81 && c <= 0x8f, c == 0xde, c == 0xdf:
		default:
			return nil, errf("body is %s, not a mapping", withArticle(msgpackKindName(c)))
		}
	}
	return b, nil
}

// DecodeOwned is Decode of bytes the caller gives away: it never writes
// them again (a buffer just opened or joined, not a reused read buffer).
// The strings of a msgpack body of at least shareStringsFrom bytes then
// share b instead of being copied out of it: a megabyte argument is not
// copied once more at every hop. Smaller strings are copied, so that a
// short string kept for long (a jid, an id) does not hold a large buffer.
func DecodeOwned(kind raet.BodyKind, b []byte) (Map, error) {
	if kind != raet.BodyMsgpack || len(b) == 0 {
		return Decode(kind, b)
	}
	v, err := decodeMsgpack(b, true)
	if err != nil {
		return nil, err
	}
	return topMap(v)
}

// shareStringsFrom is the size from which DecodeOwned's strings share the
// body's bytes.
const shareStringsFrom = 4096

// Decode parses a body of the given kind. Zero bytes, and any body of kind
// raet.BodyNada (whose bytes the reference ignores), give an empty non-nil
// Map. A body that is not a mapping, or whose top-level keys are not all
// strings, is an error; so are the kinds raw and unknown (raet.ErrKind).
func Decode(kind raet.BodyKind, b []byte) (Map, error) {
	var (
		v   any
		err error
	)
	switch kind {
	case raet.BodyNada:
		return Map{}, nil
	case raet.BodyJSON:
		if len(b) == 0 {
			return Map{}, nil
		}
		v, err = DecodeJSON(b)
	case raet.BodyMsgpack:
		if len(b) == 0 {
			return Map{}, nil
		}
		v, err = DecodeMsgpack(b)
	default:
		return nil, raet.Errorf(raet.CodeKind, "body kind %v is not a mapping serialisation", kind)
	}
	if err != nil {
		return nil, err
	}
	return topMap(v)
}

// topMap is a decoded body's value as the mapping a body must be.
func topMap(v any) (Map, error) {
	switch m := v.(type) {
	case Map:
		if m == nil {
			m = Map{}
		}
		return m, nil
	case map[any]any:
		for k := range m {
			if _, ok := k.(string); !ok {
				return nil, errf("body has a key of type %s (%v); top-level keys must be strings", typeName(k), k)
			}
		}
		return nil, errf("body has a non-string key")
	}
	return nil, errf("body is %s, not a mapping", withArticle(typeName(v)))
}

// isEmpty reports the cases of the empty-body rule that need no encoding to
// spot. Python tests the body with "if body:", so None counts too.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case Map:
		return len(x) == 0
	case *Map:
		return x == nil || len(*x) == 0
	case map[string]any:
		return len(x) == 0
	case map[string]string:
		return len(x) == 0
	case map[any]any:
		return len(x) == 0
	}
	return false
}

// typeName names the type of a decoded value the way a Python user would.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, uint64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case []any:
		return "list"
	case Map, map[any]any:
		return "mapping"
	case Ext:
		return "msgpack ext"
	}
	return "value"
}

func withArticle(name string) string {
	switch name {
	case "null", "bytes":
		return name
	case "int":
		return "an int"
	}
	return "a " + name
}

func jsonKindName(b []byte) string {
	switch b[0] {
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

func msgpackKindName(c byte) string {
	switch {
	case c <= 0x7f || c >= 0xe0 || (c >= 0xcc && c <= 0xd3):
		return "int"
	case c >= 0x90 && c <= 0x9f, c == 0xdc, c == 0xdd:
		return "list"
	case c >= 0xa0 && c <= 0xbf, c >= 0xd9 && c <= 0xdb:
		return "str"
	case c >= 0xc4 && c <= 0xc6:
		return "bytes"
	case c == 0xc2 || c == 0xc3:
		return "bool"
	case c == 0xca || c == 0xcb:
		return "float"
	}
	return "msgpack ext"
}

// sizeHint is about the bytes v takes packed: SizeBound's figure, exact
// or not. Encode allocates that much at once, so that a body holding a
// megabyte string is not copied again each time its buffer would have
// grown.
func sizeHint(v any) int {
	n, _ := sizeBound(v, 0)
	return n
}

// PackedSizeAtMost returns a bound on the bytes v takes in msgpack, without
// packing it: every string and bytes with the largest head, every scalar at
// nine bytes. ok is false when v holds a type the bound does not know (a
// struct, a typed slice), whose size only packing tells.
func PackedSizeAtMost(v any) (n int, ok bool) {
	return sizeBound(v, 0)
}

func sizeBound(v any, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return 9, true
	case string:
		return 5 + len(x), true
	case []byte:
		return 5 + len(x), true
	case Map:
		n, ok := 5, true
		for _, it := range x {
			m, known := sizeBound(it.Value, depth+1)
			n, ok = n+5+len(it.Key)+m, ok && known
		}
		return n, ok
	case []any:
		n, ok := 5, true
		for _, e := range x {
			m, known := sizeBound(e, depth+1)
			n, ok = n+m, ok && known
		}
		return n, ok
	case map[string]any:
		n, ok := 5, true
		for k, e := range x {
			m, known := sizeBound(e, depth+1)
			n, ok = n+5+len(k)+m, ok && known
		}
		return n, ok
	}
	return 9, false
}

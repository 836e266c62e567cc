package auth

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// appendPayload packs v as salt.payload.dumps does (msgpack with
// use_bin_type=False): every string an old-spec raw, fixstr up to 31 bytes
// and str16 above, never str8, so a token file is byte for byte Salt's.
// Numbers, booleans and None pack as body's msgpack does, as Python's.
func appendPayload(dst []byte, v any, depth int) ([]byte, error) {
	if depth > 32 {
		return dst, fmt.Errorf("token data nested too deep")
	}
	switch x := v.(type) {
	case string:
		return py.AppendRawString(dst, x), nil
	case []byte:
		return py.AppendRawString(dst, string(x)), nil
	}
	if m, ok := py.DictItems(v); ok {
		dst = appendHead(dst, len(m), 0x80, 0xde, 0xdf)
		for _, it := range m {
			dst = py.AppendRawString(dst, it.Key)
			var err error
			if dst, err = appendPayload(dst, it.Value, depth+1); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	if l, ok := py.ListItems(v); ok {
		dst = appendHead(dst, len(l), 0x90, 0xdc, 0xdd)
		for _, e := range l {
			var err error
			if dst, err = appendPayload(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return body.AppendMsgpack(dst, v)
}

func appendHead(b []byte, n int, fix, c16, c32 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return append(b, c16, byte(n>>8), byte(n))
	}
	return append(b, c32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

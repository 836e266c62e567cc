package py

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Python's built-in conversions over the values published arguments
// arrive as (decoded msgpack: nil, bool, int64, uint64 above MaxInt64,
// float64, string, []any and body.Map), so that the functions a minion
// runs decide and fail as the Python functions Salt runs would.

// Exception is a Python exception a conversion raises: its class name
// ("TypeError", "ValueError", ...) and message, worded as Python words it.
type Exception struct{ Type, Msg string }

func (e *Exception) Error() string { return e.Type + ": " + e.Msg }

// TypeName is type(v).__name__.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "int"
	case float32, float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case []any, []string:
		return "list"
	case body.Map, map[string]any, map[any]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// Truthy is Python's bool(v).
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case body.Map:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	if n, ok := body.AsInt64(v); ok {
		return n != 0
	}
	return true
}

// Int is Python's int(v): ints as they are, floats truncated, booleans
// 0 and 1, strings parsed in base 10 (surrounding whitespace and single
// underscores allowed). Anything else is a TypeError, an unparsable
// string a ValueError, with Python's messages.
func Int(v any) (int64, error) {
	if n, ok := body.AsInt64(v); ok {
		return n, nil
	}
	switch x := v.(type) {
	case bool:
		return boolInt(x), nil
	case float64:
		if math.IsNaN(x) {
			return 0, &Exception{Type: "ValueError", Msg: "cannot convert float NaN to integer"}
		}
		if math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return 0, &Exception{Type: "OverflowError", Msg: "cannot convert float infinity to integer"}
		}
		return int64(x), nil
	case string:
		t := strings.TrimSpace(x)
		if t != "" && !strings.HasPrefix(t, "_") && !strings.HasSuffix(t, "_") && !strings.Contains(t, "__") {
			if n, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64); err == nil {
				return n, nil
			}
		}
		return 0, &Exception{Type: "ValueError", Msg: "invalid literal for int() with base 10: " + Repr(x)}
	}
	return 0, &Exception{Type: "TypeError", Msg: fmt.Sprintf("int() argument must be a string, a bytes-like object or a real number, not '%s'", TypeName(v))}
}

// Float is Python's float(v) for the published types.
func Float(v any) (float64, error) {
	if n, ok := body.AsInt64(v); ok {
		return float64(n), nil
	}
	switch x := v.(type) {
	case bool:
		return float64(boolInt(x)), nil
	case float64:
		return x, nil
	case string:
		t := strings.TrimSpace(x)
		if f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64); err == nil && t != "" {
			return f, nil
		}
		return 0, &Exception{Type: "ValueError", Msg: "could not convert string to float: " + Repr(x)}
	}
	return 0, &Exception{Type: "TypeError", Msg: fmt.Sprintf("float() argument must be a string or a real number, not '%s'", TypeName(v))}
}

// boolInt is int(b): True is 1 and False 0.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

package modules

import (
	"errors"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Published arguments arrive as decoded msgpack: nil, bool, int64 (uint64
// above MaxInt64), float64, string, []any and body.Map. Python's
// conversions over them (str, repr, bool, int, float, type names) are
// pkg/salt/internal/py's, which the targeting and the outputters share;
// the names here keep the functions' code short and turn a Python
// exception into the error kinds the job reply reports.

// pyTypeName is type(v).__name__.
func pyTypeName(v any) string { return py.TypeName(v) }

// pyTruthy is Python's bool(v).
func pyTruthy(v any) bool { return py.Truthy(v) }

// pyInt is Python's int(v); a TypeError is reported as one.
func pyInt(v any) (int64, error) {
	n, err := py.Int(v)
	return n, pyErr(err)
}

// pyFloat is Python's float(v); a TypeError is reported as one.
func pyFloat(v any) (float64, error) {
	f, err := py.Float(v)
	return f, pyErr(err)
}

// pyErr turns a Python exception into the job reply's error kinds.
func pyErr(err error) error {
	var e *py.Exception
	if !errors.As(err, &e) {
		return err
	}
	if e.Type == "TypeError" {
		return &TypeError{e.Msg}
	}
	return &Exception{Type: e.Type, Msg: e.Msg}
}

// isTrue is salt.utils.data.is_true: numbers are true when positive,
// strings when they say "true" in any case, anything else by truthiness.
func isTrue(v any) bool {
	if s, ok := v.(string); ok {
		if n, err := py.Int(s); err == nil {
			return n > 0
		}
		if f, err := py.Float(s); err == nil {
			return f > 0
		}
		return strings.ToLower(s) == "true"
	}
	if b, ok := v.(bool); ok {
		return b
	}
	if n, ok := body.AsInt64(v); ok {
		return n > 0
	}
	if f, ok := v.(float64); ok {
		return f > 0
	}
	return py.Truthy(v)
}

// Package jsonview renders decoded bodies the way the vector files show the
// reference's, so tests can compare the two. It stands apart from
// testvectors because the body package's own tests use testvectors.
package jsonview

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Of turns a decoded body into what encoding/json makes of the vectors'
// rendering of the reference's body, so the two compare with
// reflect.DeepEqual: maps become map[string]any, bytes {"$bytes_hex": ...},
// and every number a float64.
func Of(v any) any {
	switch x := v.(type) {
	case body.Map:
		m := make(map[string]any, len(x))
		for _, it := range x {
			m[it.Key] = Of(it.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = Of(x[i])
		}
		return out
	case []byte:
		return map[string]any{"$bytes_hex": hex.EncodeToString(x)}
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// Raw decodes a vector's JSON value with encoding/json, to compare with Of.
func Raw(tb testing.TB, raw json.RawMessage) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("jsonview: %v", err)
	}
	return v
}

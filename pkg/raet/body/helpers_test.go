package body

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// readVector reads a file below the shared vectors directory, failing with
// where it looked: the vectors are the reference, and a skip would hide a
// broken checkout.
func readVector(t testing.TB, parts ...string) []byte {
	t.Helper()
	p := testvectors.Path(t, parts...)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("vector %s not found (looked in %s; %s names another testdata directory): %v", filepath.Join(parts...), p, testvectors.EnvTestdata, err)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fromVector turns a body as the vector files show it into the values Decode
// gives: {"$bytes_hex": h} stands for bytes.
func fromVector(t testing.TB, v any) any {
	t.Helper()
	switch x := v.(type) {
	case Map:
		if len(x) == 1 && x[0].Key == "$bytes_hex" {
			return testvectors.Hex(t, x[0].Value.(string))
		}
		out := make(Map, len(x))
		for i, it := range x {
			out[i] = Item{it.Key, fromVector(t, it.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = fromVector(t, x[i])
		}
		return out
	}
	return v
}

// equal compares decoded values strictly: same Go types, same order, NaN
// equal to NaN (and -0.0 told apart from 0.0, since the bytes differ).
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case float64:
		y, ok := b.(float64)
		return ok && (math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y))
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case Ext:
		y, ok := b.(Ext)
		return ok && x.Type == y.Type && bytes.Equal(x.Data, y.Data)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case Map:
		y, ok := b.(Map)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !equal(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case map[any]any:
		y, ok := b.(map[any]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case bool, int64, uint64, string:
		return a == b
	}
	panic(fmt.Sprintf("equal: unexpected %T", a))
}

// show prints a decoded value with its Go types, for failure messages.
func show(v any) string {
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case Map:
			sb.WriteString("Map{")
			for i, it := range x {
				if i > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "%q: ", it.Key)
				walk(it.Value)
			}
			sb.WriteString("}")
		case []any:
			sb.WriteString("[")
			for i := range x {
				if i > 0 {
					sb.WriteString(", ")
				}
				walk(x[i])
			}
			sb.WriteString("]")
		case string:
			if len(x) > 80 {
				fmt.Fprintf(&sb, "string(len %d)", len(x))
			} else {
				fmt.Fprintf(&sb, "%q", x)
			}
		default:
			fmt.Fprintf(&sb, "%T(%v)", v, v)
		}
	}
	walk(v)
	return sb.String()
}

func isBodyErr(err error) bool { return errors.Is(err, raet.ErrBody) }

package auth

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// newTestAuth is a LoadAuth over a temporary token_dir whose time_auth
// waits are recorded instead of slept.
func newTestAuth(t *testing.T, o Options) (*LoadAuth, *[]time.Duration) {
	t.Helper()
	if o.TokenDir == "" {
		o.TokenDir = t.TempDir()
	}
	if o.HashType == "" {
		o.HashType = "sha256"
	}
	if o.TokenExpire == 0 {
		o.TokenExpire = 43200
	}
	if o.PAMService == "" {
		o.PAMService = "login"
	}
	a := NewWithOptions(o)
	var waits []time.Duration
	a.sleep = func(d time.Duration) { waits = append(waits, d) }
	return a, &waits
}

// m builds a body.Map from key, value pairs.
func m(kv ...any) body.Map {
	out := body.Map{}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, body.Item{Key: kv[i].(string), Value: kv[i+1]})
	}
	return out
}

// l builds a list.
func l(v ...any) []any { return v }

type bodyMap = body.Map

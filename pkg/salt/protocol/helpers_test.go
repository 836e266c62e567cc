package protocol_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Helpers of the pub load's tests, which came from pkg/salt/job.

const exampleJID = "20261122034501123456"

// cliLoad is the load of `salt '*' test.arg foo bar=baz` as the RAET CLI
// sends it: the payload job's tests hold job.PublishLoad to.
func cliLoad(t *testing.T) body.Map {
	t.Helper()
	return sub(t, payload(t, "publish-load-cli.json"), "load")
}

// payload reads one of spec/salt-payloads as an ordered map, so that key
// order is compared too.
func payload(t *testing.T, name string) body.Map {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testvectors.Shared(t), "spec", "salt-payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	m, ok := v.(body.Map)
	if err != nil || !ok {
		t.Fatalf("%s: not a JSON object (%v)", name, err)
	}
	return m
}

// sub returns the mapping at a path of keys.
func sub(t *testing.T, m body.Map, keys ...string) body.Map {
	t.Helper()
	for _, k := range keys {
		var ok bool
		if m, ok = m.Map(k); !ok {
			t.Fatalf("no mapping at %q", k)
		}
	}
	return m
}

// sameJSON compares two values as Python's json.dumps renders them, keys
// in order: the same keys, order and values.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := body.AppendJSON(nil, got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := body.AppendJSON(nil, want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func ptr[T any](v T) *T { return &v }

package protocol_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The helpers the pub load's tests brought from pkg/salt/job.

const exampleJID = "20261122034501123456"

// The load of `salt '*' test.arg foo bar=baz` as the RAET CLI sends it.
func cliLoad(t *testing.T) body.Map {
	t.Helper()
	key, _ := sub(t, payload(t, "publish-load-cli.json"), "load").String("key")
	return job.PublishLoad(job.Publish{
		Tgt:    "*",
		Fun:    "test.arg",
		Arg:    job.ParseInput([]string{"foo", "bar=baz"}),
		Key:    key,
		Kwargs: job.CLIKwargs(true, false, "", true),
		User:   "root",
	})
}

// payload reads one of spec/salt-payloads as an ordered map, so that key
// order can be compared too.
func payload(t *testing.T, name string) body.Map {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testvectors.Shared(t), "spec", "salt-payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, ok := v.(body.Map)
	if !ok {
		t.Fatalf("%s: not an object", name)
	}
	return m
}

// sub returns the mapping at a path of keys.
func sub(t *testing.T, m body.Map, keys ...string) body.Map {
	t.Helper()
	for _, k := range keys {
		next, ok := m.Map(k)
		if !ok {
			t.Fatalf("no mapping at %q", k)
		}
		m = next
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

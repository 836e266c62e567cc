package job_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// specFile reads a file of testdata/shared/spec.
func specFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	p := filepath.Join(append([]string{testvectors.Shared(t), "spec"}, parts...)...)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// payload reads one of spec/salt-payloads as an ordered map, so that key
// order can be compared too.
func payload(t *testing.T, name string) body.Map {
	t.Helper()
	v, err := body.DecodeJSON(specFile(t, "salt-payloads", name))
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

// asJSON renders a value as Python's json.dumps would, keys in order: two
// values with the same rendering have the same keys, order and values.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := body.AppendJSON(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := asJSON(t, got), asJSON(t, want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// observedJob is the decoded_sample_job part of a
// salt-3006-observed/job-cache-*.json file, with the layout entries.
type observedJob struct {
	HashType string `json:"hash_type"`
	Layout   []struct {
		Path  string `json:"path"`
		Bytes int    `json:"bytes"`
	} `json:"layout"`
	Sample json.RawMessage `json:"decoded_sample_job"`
}

func readObserved(t *testing.T, name string) (observedJob, body.Map) {
	t.Helper()
	b := specFile(t, "salt-3006-observed", name)
	var o observedJob
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(o.Sample)
	if err != nil {
		t.Fatal(err)
	}
	return o, v.(body.Map)
}

package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// ObservedRuns reads spec/salt-3006-observed/<name>, what real Salt 3006
// printed and sent, and returns its runs, each a mapping with cmdline,
// stdout, events and the rest. It decodes with the body package's JSON
// decoder, so key order survives and comparisons can be byte-exact.
func ObservedRuns(tb testing.TB, name string) []body.Map {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(testvectors.Shared(tb), "spec", "salt-3006-observed", name))
	if err != nil {
		tb.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	doc, ok := v.(body.Map)
	if !ok {
		tb.Fatalf("%s: not a JSON object", name)
	}
	runsV, _ := doc.Get("runs")
	runs, ok := runsV.([]any)
	if !ok {
		tb.Fatalf("%s: no list of runs", name)
	}
	out := make([]body.Map, len(runs))
	for i, r := range runs {
		if out[i], ok = r.(body.Map); !ok {
			tb.Fatalf("%s: run %d is not an object", name, i)
		}
	}
	return out
}

package testutil

import "testing"

func TestObservedRunsReadsEveryRun(t *testing.T) {
	runs := ObservedRuns(t, "13-salt-key.json")
	if len(runs) == 0 {
		t.Fatal("no runs")
	}
	for i, r := range runs {
		if c, ok := r.String("cmdline"); !ok || c == "" {
			t.Errorf("run %d has no cmdline: %v", i, r)
		}
	}
}

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The state.apply figures of issue 13: the 50 states of
// testdata/statetree bench (file.directory, file.managed from a template,
// cmd.run with creates, test states) on 1 and on 50 minions, the wall
// time of salt-raet '*' state.apply bench, median of 5. They assert no
// time; they run under SALTRAET_FIGURES:
//
//	SALTRAET_FIGURES=1 go test ./integration -run FigureStateApply -v
func TestFigureStateApply(t *testing.T) {
	figures(t)
	for _, n := range []int{1, 50} {
		t.Run(fmt.Sprintf("%d minions", n), func(t *testing.T) { stateApplyFigure(t, n) })
	}
}

// stateApplyFigure times the bench tree on n minions: each run on an
// empty root (every state changes) and then on the applied one (none
// does).
func stateApplyFigure(t *testing.T, n int) {
	dir := t.TempDir()
	files, pillars, root := filepath.Join(dir, "files"), filepath.Join(dir, "pillar"), filepath.Join(dir, "out")
	copyTree(t, filepath.Join(stateTree, "files"), files)
	copyTree(t, filepath.Join(stateTree, "pillar"), pillars)
	writeFiles(t, pillars, map[string]string{"base/root.sls": "stateroot: " + root + "\n"})
	c := newCluster(t, true, rootsConf("file_roots", files), rootsConf("pillar_roots", pillars))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%02d", i)
		c.addMinion(ids[i], "grains:\n  role: web\n")
	}
	c.waitReady(ids...)
	var fresh, again []time.Duration
	for run := 0; run < 5; run++ {
		if err := os.RemoveAll(root); err != nil {
			t.Fatal(err)
		}
		fresh = append(fresh, c.timeBench(ids))
		again = append(again, c.timeBench(ids))
	}
	t.Logf("state.apply of 50 states on %d minion(s): empty root median %v (runs %v); applied root median %v (runs %v)",
		n, median(fresh), fresh, median(again), again)
}

// timeBench runs state.apply bench on every minion and checks that each
// returned its 50 states, none failed.
func (c *cluster) timeBench(ids []string) time.Duration {
	c.t.Helper()
	start := time.Now()
	r := c.salt("*", "state.apply", "bench", "--out", "json", "--static", "-t", "120")
	took := time.Since(start)
	var got map[string]map[string]stateRun
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		c.t.Fatalf("state.apply bench: exit %d %v: %.2000s %s", r.code, err, r.stdout, r.stderr)
	}
	for _, id := range ids {
		if len(got[id]) != 50 {
			c.t.Fatalf("%s returned %d states", id, len(got[id]))
		}
		for tag, s := range got[id] {
			if !is(s.Result, yes) {
				c.t.Fatalf("%s %s: %v %s", id, tag, fmtResult(s.Result), s.Comment)
			}
		}
	}
	return took
}

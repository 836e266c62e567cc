package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The salt command's batch mode, missing ids, summary and compound
// commands against a real master and three minions.
func TestSaltCommandBatchSummaryMissing(t *testing.T) {
	c := newCluster(t, true)
	ids := []string{"m1", "m2", "m3"}
	for _, id := range ids {
		c.addMinion(id)
	}
	c.waitReady(ids...)

	t.Run("batch of 1", func(t *testing.T) { batchOfOne(t, c, ids) })

	// An id with no key: not returned, exit 1.
	r := c.salt("-L", "m1,ghost", "test.ping")
	if !strings.Contains(r.stdout, "m1:\n    True\n") || !strings.Contains(r.stdout, "ghost:\n    Minion did not return. [No response]\n    The minions may not have all finished running") || r.code != 1 {
		t.Errorf("-L m1,ghost: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	if r.stderr != "ERROR: Minions returned with non-zero exit code\n" {
		t.Errorf("-L m1,ghost stderr %q", r.stderr)
	}

	// --summary counts the minions.
	r = c.salt("--summary", "-L", "m1,m2,ghost", "test.ping")
	if !strings.HasSuffix(r.stdout, "\n\n\n-------------------------------------------\nSummary\n-------------------------------------------\n"+
		"# of minions targeted: 3\n# of minions returned: 2\n# of minions that did not return: 1\n# of minions with errors: 0\n-------------------------------------------\n") || r.code != 1 {
		t.Errorf("--summary: %q exit %d", r.stdout, r.code)
	}
	r = c.salt("--summary", "*", "test.ping")
	if !strings.Contains(r.stdout, "# of minions targeted: 3\n# of minions returned: 3\n# of minions that did not return: 0\n# of minions with errors: 0\n") || r.code != 0 {
		t.Errorf("--summary '*': %q exit %d", r.stdout, r.code)
	}

	// A compound command, run by the minions.
	r = c.salt("-L", "m1,m2", "test.ping,test.echo", ",", "hello")
	for _, id := range []string{"m1", "m2"} {
		if !strings.Contains(r.stdout, id+":\n    ----------\n    test.echo:\n        hello\n    test.ping:\n        True\n") {
			t.Errorf("compound command: %q", r.stdout)
		}
	}
	if r.code != 0 {
		t.Errorf("compound command exit %d: %s", r.code, r.stderr)
	}
}

// -b 1 over three minions: three windows, every return, and each job
// published only after the one before returned: its jid's time is after
// the time the master stored that return in its job cache.
func batchOfOne(t *testing.T, c *cluster, ids []string) {
	r := c.salt("-b", "1", "*", "test.ping")
	if r.code != 0 {
		t.Fatalf("-b 1: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	windows := regexp.MustCompile(`(?m)^Executing run on \['(m\d)'\]$`).FindAllStringSubmatch(r.stdout, -1)
	jids := regexp.MustCompile(`(?m)^jid:\n    (\d{20})$`).FindAllStringSubmatch(r.stdout, -1)
	if len(windows) != 3 || len(jids) != 3 {
		t.Fatalf("-b 1: %d windows, %d jids, want 3: %q", len(windows), len(jids), r.stdout)
	}
	for i, id := range ids {
		if windows[i][1] != id || !strings.Contains(r.stdout, id+":\n    True\n") {
			t.Errorf("window %d is %s, want %s with its return: %q", i, windows[i][1], id, r.stdout)
		}
	}
	cache, err := job.OpenCache(filepath.Join(c.master.root, "var", "cache", "salt", "master"), "sha256")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3; i++ {
		fi, err := os.Stat(filepath.Join(cache.Dir(jids[i-1][1]), ids[i-1], "return.p"))
		if err != nil {
			t.Fatalf("the return of window %d: %v", i-1, err)
		}
		next, err := job.JIDToTime(jids[i][1])
		if err != nil {
			t.Fatal(err)
		}
		if fi.ModTime().After(next) {
			t.Errorf("window %d (jid %s) was published before window %d's return was stored at %v", i, jids[i][1], i-1, fi.ModTime())
		}
	}
}

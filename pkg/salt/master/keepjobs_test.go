package master

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The maintenance loop runs on the master's clock and removes the jobs
// whose jid file is older than keep_jobs_seconds (or the legacy keep_jobs
// hours when keep_jobs_seconds is left at its default), measured against
// the wall time jids are made in: in the round that removes a job a
// second older than the limit, one a second younger stays.
func TestKeepJobsSecondsOnTheFakeClock(t *testing.T) {
	for _, tc := range []struct {
		conf string
		keep time.Duration
	}{
		{"", 86400 * time.Second},
		{"keep_jobs_seconds: 600\n", 600 * time.Second},
		{"keep_jobs: 1\n", time.Hour},
		{"keep_jobs: 1\nkeep_jobs_seconds: 120\n", 120 * time.Second},
	} {
		t.Run(tc.keep.String(), func(t *testing.T) {
			wall := time.Date(2026, time.December, 7, 12, 0, 0, 0, time.Local)
			f := clock.NewFake()
			tm := newMaster(t, tc.conf, WithClock(f), WithMaintenanceInterval(time.Minute),
				WithJIDGen(&job.JIDGen{Now: func() time.Time { return wall }}))
			age := func(jid string, d time.Duration) {
				t.Helper()
				at := wall.Add(-d)
				if err := os.Chtimes(filepath.Join(tm.m.cache.Dir(jid), job.JIDFile), at, at); err != nil {
					t.Fatal(err)
				}
			}
			old, err := tm.m.cache.PrepJID(nil)
			if err != nil {
				t.Fatal(err)
			}
			young, err := tm.m.cache.PrepJID(nil)
			if err != nil {
				t.Fatal(err)
			}
			age(old, tc.keep+time.Second)
			age(young, tc.keep-time.Second)
			tm.start()
			// Each minute of the master's clock is a maintenance round, once
			// the loop has started.
			deadline := time.Now().Add(wait)
			for tm.m.Stats()["jobs_cleaned"] == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("no maintenance round removed a job; stats %v", tm.m.Stats())
				}
				f.Advance(time.Minute)
				time.Sleep(time.Millisecond)
			}
			if _, err := os.Stat(tm.m.cache.Dir(old)); !os.IsNotExist(err) {
				t.Errorf("the job older than %v is kept: %v", tc.keep, err)
			}
			if _, err := os.Stat(tm.m.cache.Dir(young)); err != nil {
				t.Errorf("the job younger than %v is removed: %v", tc.keep, err)
			}
		})
	}
}

package master

import (
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func observations(t *testing.T, w *jobWatch) uint64 {
	t.Helper()
	var m dto.Metric
	if err := w.durations.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.Histogram.GetSampleCount()
}

// A job's minions end as returned (a duration observed), undelivered, or,
// delivered and silent past the wait, no response; a find_job answer that
// the job still runs gives its minion the wait again. A publish not yet
// delivered is waited for until the master reports it undelivered, and the
// salt command's find_job publishes are not followed.
func TestJobWatch(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	w := newJobWatch(15 * time.Second)
	w.published("j1", "test.sleep", []string{"a", "b", "c", "d", "e"}, t0)
	w.published("f1", "saltutil.find_job", []string{"a"}, t0)
	for _, id := range []string{"a", "c", "d"} {
		w.delivered("j1", id)
	}
	w.returned("j1", "a", "test.sleep", true, t0.Add(2*time.Second))
	w.returned("j1", "a", "test.sleep", true, t0.Add(3*time.Second)) // a duplicate: not observed again
	w.undelivered("j1", "b")
	// At 14 s, c answers find_job: j1 still runs there.
	w.returned("j2", "c", "saltutil.find_job", body.Map{{Key: "jid", Value: "j1"}}, t0.Add(14*time.Second))
	if open, nr, _ := w.sweep(t0.Add(16 * time.Second)); open != 1 || nr != 1 {
		t.Errorf("at 16 s: %d jobs open, %d no response; want 1 and 1 (d)", open, nr)
	}
	if open, nr, _ := w.sweep(t0.Add(29 * time.Second)); open != 1 || nr != 2 {
		t.Errorf("at 29 s: %d jobs open, %d no response; want 1 (e, not delivered yet) and 2 (d, then c)", open, nr)
	}
	w.undelivered("j1", "e")
	if open, nr, _ := w.sweep(t0.Add(time.Minute)); open != 0 || nr != 2 {
		t.Errorf("at 60 s: %d jobs open, %d no response; want 0 and 2", open, nr)
	}
	if n := observations(t, w); n != 1 {
		t.Errorf("%d durations observed, want 1", n)
	}
	var nilWatch *jobWatch // metrics off: every call does nothing
	nilWatch.published("j", "test.ping", []string{"a"}, t0)
	nilWatch.delivered("j", "a")
	nilWatch.returned("j", "a", "test.ping", true, t0)
	nilWatch.undelivered("j", "a")
}

// Past maxWatched minions waited for, a new job is not followed, and
// counted so.
func TestJobWatchBound(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	w := newJobWatch(time.Minute)
	big := make([]string, maxWatched)
	for i := range big {
		big[i] = "m" + strconv.Itoa(i)
	}
	w.published("j1", "test.ping", big, t0)
	for _, id := range big {
		w.delivered("j1", id)
	}
	w.published("j2", "test.ping", []string{"x"}, t0.Add(time.Second))
	if open, _, unwatched := w.sweep(t0.Add(2 * time.Second)); open != 1 || unwatched != 1 {
		t.Errorf("%d open, %d unwatched; want 1 and 1", open, unwatched)
	}
	// Once the first job's minions are given up on, there is room again.
	w.published("j3", "test.ping", []string{"x"}, t0.Add(2*time.Minute))
	if open, nr, _ := w.sweep(t0.Add(2 * time.Minute)); open != 1 || nr != uint64(maxWatched) {
		t.Errorf("%d open, %d no response; want 1 and %d", open, nr, maxWatched)
	}
}

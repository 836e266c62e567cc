package job_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/job"
)

func TestNewJIDFormat(t *testing.T) {
	plus1 := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 22, 3, 45, 1, 123456789, time.UTC), "20261122034501123456"},
		{time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), "20260102030405000006"},
		{time.Date(999, 12, 31, 23, 59, 59, 999999999, time.UTC), "09991231235959999999"},
		// The wall time of the time's own location is written.
		{time.Date(2026, 11, 22, 3, 45, 1, 0, time.UTC).In(plus1), "20261122044501000000"},
	} {
		if got := job.NewJID(tc.t); got != tc.want {
			t.Errorf("NewJID(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

func TestJIDGenUsesLocation(t *testing.T) {
	utc := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	g := &job.JIDGen{Location: time.FixedZone("X", 2*3600), Now: func() time.Time { return utc }}
	if got := g.Next(); got != "20261123013000000000" {
		t.Errorf("got %s, want the wall time two hours east", got)
	}
}

// A clock that does not move, or moves back, still gives a new, larger jid
// every time: one microsecond past the last.
func TestJIDGenNeverRepeats(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 45, 1, 999998000, time.UTC)
	clock := now
	g := &job.JIDGen{Location: time.UTC, Now: func() time.Time { return clock }}
	want := []string{"20261122034501999998", "20261122034501999999", "20261122034502000000"}
	for _, w := range want {
		if got := g.Next(); got != w {
			t.Fatalf("got %s, want %s", got, w)
		}
	}
	clock = now.Add(-time.Hour)
	if got := g.Next(); got != "20261122034502000001" {
		t.Errorf("after the clock stepped back: %s", got)
	}
	clock = now.Add(time.Hour)
	if got := g.Next(); got != "20261122044501999998" {
		t.Errorf("after the clock moved on: %s", got)
	}
}

func TestJIDGenUnique(t *testing.T) {
	g := &job.JIDGen{Unique: true, PID: 4242, Location: time.UTC,
		Now: func() time.Time { return time.Date(2026, 11, 22, 3, 45, 1, 123456000, time.UTC) }}
	if a, b := g.Next(), g.Next(); a != "20261122034501123456_4242" || b != "20261122034501123457_4242" {
		t.Errorf("got %s, %s", a, b)
	}
	def := &job.JIDGen{Unique: true}
	if jid := def.Next(); !job.IsJID(jid) || !strings.Contains(jid, "_") {
		t.Errorf("default pid suffix missing: %s", jid)
	}
}

func TestJIDGenConcurrentAndRapid(t *testing.T) {
	var g job.JIDGen
	const workers, each = 8, 500
	out := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				out[w] = append(out[w], g.Next())
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, l := range out {
		if !slices.IsSorted(l) {
			t.Errorf("one goroutine's jids are not increasing")
		}
		for _, jid := range l {
			if !job.IsJID(jid) || len(jid) != 20 {
				t.Fatalf("bad jid %q", jid)
			}
			if seen[jid] {
				t.Fatalf("jid %s handed out twice", jid)
			}
			seen[jid] = true
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d jids, want %d", len(seen), workers*each)
	}
}

func TestIsJID(t *testing.T) {
	for s, want := range map[string]bool{
		"20261122034501123456":       true,
		"20261122034501123456_1234":  true,
		"20261122034501123456_x":     true,
		"20261122034501123456_":      false, // Salt wants something after '_'
		"2026112203450112345":        false,
		"202611220345011234567":      false,
		"20261122034501123456-12":    false,
		"2026112203450112345a":       false,
		"-2026112203450112345":       false,
		"":                           false,
		"req":                        false,
		"20261122034501123456_12_34": true,
	} {
		if got := job.IsJID(s); got != want {
			t.Errorf("IsJID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestJIDToTimeRoundTrip(t *testing.T) {
	loc := time.FixedZone("X", -5*3600)
	want := time.Date(2026, 11, 22, 3, 45, 1, 123456000, loc)
	for _, jid := range []string{"20261122034501123456", "20261122034501123456_99"} {
		got, err := job.JIDToTimeIn(jid, loc)
		if err != nil || !got.Equal(want) {
			t.Errorf("JIDToTimeIn(%s) = %v, %v; want %v", jid, got, err, want)
		}
	}
	now := time.Now()
	jid := job.NewJID(now)
	got, err := job.JIDToTime(jid)
	if err != nil || !got.Equal(now.Truncate(time.Microsecond)) {
		t.Errorf("JIDToTime(NewJID(now)) = %v, %v; want %v", got, err, now)
	}
	for _, bad := range []string{"20261322034501123456", "20260230034501123456", "20261122246001123456", "x", "20261122034501123456_"} {
		if _, err := job.JIDToTime(bad); !errors.Is(err, job.ErrBadJID) {
			t.Errorf("JIDToTime(%q): %v, want ErrBadJID", bad, err)
		}
	}
}

func TestFormatJIDTime(t *testing.T) {
	for jid, want := range map[string]string{
		"20261122034501123456":      "2026, Nov 22 03:45:01.123456",
		"20260101000000000000_4242": "2026, Jan 01 00:00:00.000000",
		"20261231235959999999":      "2026, Dec 31 23:59:59.999999",
		"20261322034501123456":      "",
		"20260022034501123456":      "",
		"not a jid":                 "",
	} {
		if got := job.FormatJIDTime(jid); got != want {
			t.Errorf("FormatJIDTime(%q) = %q, want %q", jid, got, want)
		}
	}
}

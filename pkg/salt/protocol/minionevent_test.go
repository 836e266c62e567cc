package protocol

import (
	"math/rand"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestReservedEventTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"salt/job/20261207000000000000/ret/db1":     true,
		"salt/job/20261207000000000000/prog/web1/0": false,
		"salt/job/20261207000000000000/prog/db1/0":  true,
		"20261207000000000000":                      true,
		"new_job":                                   true,
		"salt/presence/present":                     true,
		"salt/minion/web1/start":                    false,
		"myco/build/done":                           false,
	} {
		if got := ReservedEventTag(tag, "web1"); got != want {
			t.Errorf("ReservedEventTag(%q) = %v, want %v", tag, got, want)
		}
	}
}

// _stamp is datetime.utcnow().isoformat(): microseconds unless zero.
func TestStampedEvent(t *testing.T) {
	at := time.Date(2026, 12, 7, 6, 30, 1, 123456789, time.FixedZone("x", 3600))
	got := StampedEvent(body.Map{{Key: "_stamp", Value: "old"}, {Key: "a", Value: 1}}, at)
	if s, _ := got.String("_stamp"); s != "2026-12-07T05:30:01.123456" || got.Keys()[0] != "a" || len(got) != 2 {
		t.Errorf("stamped %v", got)
	}
	if s := IsoStamp(at.Truncate(time.Second)); s != "2026-12-07T05:30:01" {
		t.Errorf("whole second %q", s)
	}
}

// The digits written by hand are time.Format's, for any instant: padding
// of every field, microseconds cut (not rounded), the fraction left out
// only when they are zero, and years time.Format writes otherwise.
func TestIsoStampIsFormat(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	at := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 5000, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for range 10000 {
		at = append(at, time.Unix(rng.Int63n(300000000000)-62135596800, rng.Int63n(1e9)).In(time.FixedZone("z", 3600*int(rng.Int31n(25)-12))))
	}
	for _, x := range at {
		u := x.UTC()
		want := u.Format("2006-01-02T15:04:05.000000")
		if u.Nanosecond()/1000 == 0 {
			want = u.Format("2006-01-02T15:04:05")
		}
		if got := IsoStamp(x); got != want {
			t.Fatalf("IsoStamp(%v) = %q, want %q", x, got, want)
		}
	}
}

func BenchmarkIsoStamp(b *testing.B) {
	now := time.Now()
	for range b.N {
		_ = IsoStamp(now)
	}
}

package protocol

import (
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

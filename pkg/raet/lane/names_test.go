package lane

import (
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A lane may be named after a dotted minion id (<FQDN>_minion); a yard may
// not hold a dot, so the socket path still cuts back into the two names.
func TestLaneAndYardNames(t *testing.T) {
	for _, tc := range []struct {
		lane, yard string
		ok         bool
	}{
		{"web1.example.com_minion", "manor", true},
		{"a.b.c", "jobber0123456789abcdef01", true},
		{"master", "manor", true},
		{"lane", "ya.rd", false},
		{"la ne", "yard", false},
		{"la/ne", "yard", false},
		{"", "yard", false},
		{"lane", "", false},
		{"la\nne", "yard", false},
	} {
		err := CheckLane(tc.lane)
		if err == nil {
			err = CheckYard(tc.yard)
		}
		if (err == nil) != tc.ok {
			t.Errorf("lane %q yard %q: %v, want ok=%v", tc.lane, tc.yard, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		l, y, err := NamesFromHA(HA("/var/run/salt/minion", tc.lane, tc.yard))
		if err != nil || l != tc.lane || y != tc.yard {
			t.Errorf("NamesFromHA(HA(%q, %q)) = %q, %q, %v", tc.lane, tc.yard, l, y, err)
		}
	}
}

// Two yards on a dotted lane bind, talk both ways, and take each other
// from the socket path.
func TestLaneDottedLane(t *testing.T) {
	dir := sockDir(t)
	const ln = "web1.example.com_minion"
	a := running(t, Config{Name: "manor", Lane: ln, Dir: dir})
	b := running(t, Config{Name: "jobber", Lane: ln, Dir: dir})
	if a.Addr() != dir+"/web1.example.com_minion.manor.uxd" {
		t.Fatalf("manor at %s", a.Addr())
	}
	if err := b.Transmit(body.Map{{Key: "n", Value: 1}}, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	if got := next(t, a); got.From != "jobber" || fmt.Sprint(got.Body.Get("n")) != "1 true" {
		t.Fatalf("manor got %v from %s", got.Body, got.From)
	}
	if err := a.Transmit(body.Map{{Key: "n", Value: 2}}, "jobber").Err(); err != nil {
		t.Fatal(err)
	}
	if got := next(t, b); got.From != "manor" {
		t.Fatalf("jobber got %v from %s", got.Body, got.From)
	}
	if s := a.Stats(); s["invalid_source_yard"] != 0 {
		t.Fatalf("stats %v", s)
	}
}

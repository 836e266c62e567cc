package master

import (
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// An idle master counts no joins: once the counts held still with nothing
// joining, no join-progress tick stays armed; the next minion's join wakes
// it, and its count is logged at the next tick.
func TestJoinProgressSleepsWhileSettled(t *testing.T) {
	f := clock.NewFake()
	// Presence and the road's alives an hour apart: the only deadline
	// within joinProgressEvery is the progress ticker's.
	tm := newMaster(t, "", WithClock(f), WithPresenceInterval(time.Hour),
		WithRoadTimers(road.Timers{Period: time.Hour, AliverTimeout: time.Hour})).start()
	armed := func() bool {
		for _, at := range f.Pending() {
			if d := at.Sub(f.Now()); d > 0 && d <= joinProgressEvery {
				return true
			}
		}
		return false
	}
	logged := func(s string) bool { return strings.Contains(tm.logs.String(), s) }
	// No estate yet: the first count finds nothing joining, and the
	// progress ticker is stopped.
	eventually(t, "join progress armed", armed)
	f.Advance(joinProgressEvery)
	eventually(t, "join progress settled", func() bool { return !armed() })

	mn := newRestartable(t, "web1")
	mn.start()
	mn.connect(tm)
	eventually(t, "join progress woken by the join", armed)
	want := "Road: 1 minion estates joined and allowed, 0 still joining (1 known)"
	for i := 0; i < 3 && !logged(want); i++ {
		f.Advance(joinProgressEvery)
		eventually(t, "join progress counted", func() bool { return logged(want) || armed() })
	}
	if !logged(want) {
		t.Fatalf("no %q in the log:\n%s", want, tm.logs.String())
	}
	f.Advance(joinProgressEvery) // the counts held: settled
	eventually(t, "join progress settled again", func() bool { return !armed() })
}

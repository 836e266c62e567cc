package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// The loop's timer fires at the deadline it was last set to, whether that
// moved earlier or later (a new timer then), and only once; the old timer
// of a deadline moved later is stopped, or it would wake the loop early.
func TestLoopTimerFollowsItsDeadline(t *testing.T) {
	fc := clock.NewFake()
	l := newLoopTimer(fc)
	start := fc.Now()
	ticked := func() bool {
		select {
		case <-l.C():
			l.fired()
			return true
		default:
			return false
		}
	}
	l.set(start.Add(3 * time.Second))
	l.set(start.Add(3 * time.Second)) // unchanged
	l.set(start.Add(5 * time.Second)) // later: the 3 s timer must not fire
	if got := len(fc.Pending()); got != 1 {
		t.Fatalf("%d timers pending after a deadline moved later, want 1 (the old one stopped)", got)
	}
	fc.Advance(4 * time.Second)
	if ticked() {
		t.Fatal("the timer fired at the deadline it was moved from")
	}
	l.set(start.Add(4500 * time.Millisecond)) // earlier
	fc.Advance(500 * time.Millisecond)
	if !ticked() {
		t.Fatal("the timer did not fire at a deadline moved earlier")
	}
	fc.Advance(2 * time.Second)
	if ticked() {
		t.Fatal("the timer fired twice")
	}
	l.set(time.Time{}) // nothing due: an hour on
	l.set(fc.Now().Add(time.Second))
	fc.Advance(time.Second)
	if !ticked() {
		t.Fatal("the timer did not fire after having no deadline")
	}
	l.set(fc.Now()) // due now
	fc.Advance(0)
	if !ticked() {
		t.Fatal("a deadline already come did not fire")
	}
}

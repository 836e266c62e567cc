package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// loopTimer is the loop's one timer, set to the core's next deadline.
//
// A deadline that moves later is the rule on an idle stack: each alive
// answered puts the presence time a period on. Go's runtime keeps a timer
// that is reset later at its earlier place in its heap until that time
// comes, and its poller and sysmon sleep only until then: one wake a period
// for nothing, as costly as the keep-alive itself. A timer stopped leaves
// the heap as soon as its processor next looks for work, so a deadline
// moved later gets a new timer and the old one is stopped. A deadline that
// did not change is not set again.
type loopTimer struct {
	clock clock.Clock
	t     clock.Timer
	at    time.Time // when t fires; zero once it fired
}

func newLoopTimer(c clock.Clock) *loopTimer {
	return &loopTimer{clock: c, t: c.NewTimer(time.Hour)}
}

// C delivers the time when the deadline comes.
func (l *loopTimer) C() <-chan time.Time { return l.t.C() }

// fired says the loop took the timer's tick.
func (l *loopTimer) fired() { l.at = time.Time{} }

// set makes the timer fire at next; zero for no deadline (an hour on).
func (l *loopTimer) set(next time.Time) {
	now := l.clock.Now()
	if next.IsZero() {
		next = now.Add(time.Hour)
	}
	if next.Equal(l.at) {
		return
	}
	d := max(next.Sub(now), 0)
	if !l.at.IsZero() && next.After(l.at) {
		l.t.Stop()
		l.t = l.clock.NewTimer(d)
	} else {
		l.t.Reset(d)
	}
	l.at = next
}

// stop stops the timer for good.
func (l *loopTimer) stop() { l.t.Stop() }

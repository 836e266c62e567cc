package clock

import "time"

// Ticker is a time.Ticker on a Clock, made of one of the clock's timers,
// so that periodic work (presence, key reviews, probes) runs on a Fake as
// it does on the real clock.
//
// Unlike time.Ticker it is armed again only when its owner says it took a
// tick (Next). Owners call Next as soon as they receive a tick, before
// acting on it: on a Fake the following tick is then pending by the time
// the owner's work can be seen, and a test that saw it may advance the
// clock to the next tick without racing the owner.
type Ticker struct {
	clock  Clock
	timer  Timer
	period time.Duration
}

// NewTicker returns a ticker whose first tick comes one period from now.
// The period must be positive.
func NewTicker(c Clock, period time.Duration) *Ticker {
	if period <= 0 {
		panic("clock: non-positive ticker period")
	}
	return &Ticker{clock: c, timer: c.NewTimer(period), period: period}
}

// C delivers the ticks: the time each was due.
func (t *Ticker) C() <-chan time.Time { return t.timer.C() }

// Next arms the ticker for the tick after the one due at at: one period
// later, keeping the ticker's phase. Ticks that passed meanwhile are
// skipped, as time.Ticker drops the ticks a slow reader missed.
func (t *Ticker) Next(at time.Time) {
	now := t.clock.Now()
	next := at.Add(t.period)
	if next.Before(now) {
		missed := now.Sub(next) / t.period
		next = next.Add(missed * t.period)
		if next.Before(now) {
			next = next.Add(t.period)
		}
	}
	t.timer.Reset(next.Sub(now))
}

// Stop stops the ticker; no tick comes after it.
func (t *Ticker) Stop() { t.timer.Stop() }

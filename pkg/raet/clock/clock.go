// Package clock gives RAET stacks their sense of time. A stack never reads
// the system clock itself: it is handed a Clock, the real one in production
// and a Fake in tests, so that a test can run minutes of protocol timers
// (join redo, allow timeout, presence, message retransmission) in
// microseconds and exactly the same way every time.
package clock

import (
	"container/heap"
	"slices"
	"sync"
	"time"
)

// Clock tells the time and makes timers.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer delivers the time on C once its duration has passed, like
// time.Timer.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was pending.
	Stop() bool
	// Reset makes the timer fire after d; it reports whether it was pending.
	Reset(d time.Duration) bool
}

// Real returns the system's clock. Its times carry the monotonic reading, so
// durations between them are immune to wall-clock steps.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

// Fake is a clock that moves only when told to. Timers fire, in deadline
// order, as Advance passes their deadlines. It is safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64 // orders timers with the same deadline by creation
}

// Epoch is where a Fake made by NewFake starts: a fixed instant, so runs are
// repeatable.
var Epoch = time.Date(2014, time.June, 1, 0, 0, 0, 0, time.UTC)

// NewFake returns a fake clock standing at Epoch.
func NewFake() *Fake { return &Fake{now: Epoch} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that fires when the fake time reaches now + d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{clock: f, c: make(chan time.Time, 1), index: -1}
	f.schedule(t, d)
	return t
}

// Advance moves the clock forward by d, firing every timer whose deadline
// it passes, earliest first.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	end := f.now.Add(d)
	for len(f.timers) > 0 && !f.timers[0].when.After(end) {
		t := heap.Pop(&f.timers).(*fakeTimer)
		f.now = t.when
		select {
		case t.c <- t.when:
		default: // like time.Timer, an unread firing is not queued twice
		}
	}
	f.now = end
}

// Pending returns the deadlines of the timers not yet fired, earliest
// first, so that a test can see a goroutine has armed its timer for a
// deadline before it advances the clock past it.
func (f *Fake) Pending() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]time.Time, len(f.timers))
	for i, t := range f.timers {
		out[i] = t.when
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// Next returns the earliest deadline of a pending timer, so a simulation
// can jump straight to the next thing that happens.
func (f *Fake) Next() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.timers) == 0 {
		return time.Time{}, false
	}
	return f.timers[0].when, true
}

func (f *Fake) schedule(t *fakeTimer, d time.Duration) {
	f.seq++
	t.when, t.seq = f.now.Add(d), f.seq
	heap.Push(&f.timers, t)
}

type fakeTimer struct {
	clock *Fake
	c     chan time.Time
	when  time.Time
	seq   uint64
	index int // in the heap; -1 when not pending
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&f.timers, t.index)
	return true
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := t.index >= 0
	if pending {
		heap.Remove(&f.timers, t.index)
	}
	f.schedule(t, d)
	return pending
}

// timerHeap orders pending timers by deadline, then by creation.
type timerHeap []*fakeTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*fakeTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

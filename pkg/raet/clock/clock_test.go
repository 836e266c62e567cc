package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// fired takes what a timer or ticker delivered, if anything.
func fired(t interface{ C() <-chan time.Time }) (time.Time, bool) {
	select {
	case at := <-t.C():
		return at, true
	default:
		return time.Time{}, false
	}
}

func TestFakeFiresInOrderAtTheirDeadlines(t *testing.T) {
	f := clock.NewFake()
	start := f.Now()
	if !start.Equal(clock.Epoch) {
		t.Fatalf("fake starts at %v", start)
	}
	// The reference Joiner's redo schedule: 1 s, then 2 s more, timeout at 5 s.
	redo1 := f.NewTimer(time.Second)
	redo2 := f.NewTimer(3 * time.Second)
	timeout := f.NewTimer(5 * time.Second)
	if next, ok := f.Next(); !ok || !next.Equal(start.Add(time.Second)) {
		t.Fatalf("Next = %v %v", next, ok)
	}
	f.Advance(999 * time.Millisecond)
	if _, ok := fired(redo1); ok {
		t.Fatal("fired a millisecond early")
	}
	f.Advance(time.Millisecond)
	if at, ok := fired(redo1); !ok || !at.Equal(start.Add(time.Second)) {
		t.Fatalf("redo1 fired %v %v", at, ok)
	}
	f.Advance(10 * time.Second)
	a2, ok2 := fired(redo2)
	a3, ok3 := fired(timeout)
	if !ok2 || !ok3 || !a2.Equal(start.Add(3*time.Second)) || !a3.Equal(start.Add(5*time.Second)) {
		t.Fatalf("fired %v %v / %v %v", a2, ok2, a3, ok3)
	}
	if !f.Now().Equal(start.Add(11 * time.Second)) {
		t.Errorf("now %v", f.Now())
	}
	if _, ok := f.Next(); ok {
		t.Error("timers left after all fired")
	}
}

func TestFakeStopAndReset(t *testing.T) {
	f := clock.NewFake()
	a := f.NewTimer(time.Second)
	if !a.Stop() || a.Stop() {
		t.Fatal("Stop should report pending once")
	}
	f.Advance(2 * time.Second)
	if _, ok := fired(a); ok {
		t.Fatal("a stopped timer fired")
	}
	// Reset of a stopped timer schedules it from now.
	if a.Reset(time.Second) {
		t.Fatal("Reset of a stopped timer reported pending")
	}
	if !a.Reset(500 * time.Millisecond) {
		t.Fatal("Reset of a pending timer reported not pending")
	}
	f.Advance(500 * time.Millisecond)
	if at, ok := fired(a); !ok || !at.Equal(clock.Epoch.Add(2500*time.Millisecond)) {
		t.Fatalf("reset timer fired %v %v", at, ok)
	}
}

func TestFakeConcurrentUse(t *testing.T) {
	f := clock.NewFake()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tm := f.NewTimer(time.Duration(i) * time.Millisecond)
			if i%2 == 0 {
				tm.Stop()
			}
			_ = f.Now()
		}(i)
	}
	wg.Wait()
	f.Advance(time.Second)
	if _, ok := f.Next(); ok {
		t.Error("a timer is still pending after its deadline passed")
	}
}

func TestRealClock(t *testing.T) {
	c := clock.Real()
	t0 := c.Now()
	tm := c.NewTimer(time.Millisecond)
	select {
	case at := <-tm.C():
		if at.Sub(t0) < time.Millisecond {
			t.Errorf("fired after %v", at.Sub(t0))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("real timer never fired")
	}
}

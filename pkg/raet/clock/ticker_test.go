package clock_test

import (
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
)

func TestTickerTicksEachPeriodOnceTaken(t *testing.T) {
	f := clock.NewFake()
	tk := clock.NewTicker(f, time.Second)
	f.Advance(999 * time.Millisecond)
	if _, ok := fired(tk); ok {
		t.Fatal("ticked before its period")
	}
	f.Advance(time.Millisecond)
	at, ok := fired(tk)
	if !ok || !at.Equal(clock.Epoch.Add(time.Second)) {
		t.Fatalf("first tick %v %v", at, ok)
	}
	// Not taken: no second tick, however long the wait.
	f.Advance(1500 * time.Millisecond) // now 2.5 s
	if _, ok := fired(tk); ok {
		t.Fatal("ticked again before Next")
	}
	// The tick due at 2 s passed while the owner was busy: it is skipped,
	// and the phase kept.
	tk.Next(at)
	if p := f.Pending(); len(p) != 1 || !p[0].Equal(clock.Epoch.Add(3*time.Second)) {
		t.Fatalf("pending after Next: %v", p)
	}
	f.Advance(500 * time.Millisecond)
	if at, ok = fired(tk); !ok || !at.Equal(clock.Epoch.Add(3*time.Second)) {
		t.Fatalf("tick after a missed one %v %v", at, ok)
	}
	tk.Next(at)
	f.Advance(time.Second)
	if at, ok = fired(tk); !ok || !at.Equal(clock.Epoch.Add(4*time.Second)) {
		t.Fatalf("next tick %v %v", at, ok)
	}
	tk.Next(at)
	tk.Stop()
	f.Advance(time.Hour)
	if _, ok := fired(tk); ok {
		t.Fatal("ticked after Stop")
	}
}

func TestTickerSkipsManyMissedTicks(t *testing.T) {
	f := clock.NewFake()
	tk := clock.NewTicker(f, 300*time.Millisecond)
	f.Advance(300 * time.Millisecond)
	at, _ := fired(tk)
	f.Advance(10 * time.Second) // now 10.3 s; ticks due every 0.3 s
	tk.Next(at)
	want := clock.Epoch.Add(10500 * time.Millisecond)
	if p := f.Pending(); len(p) != 1 || !p[0].Equal(want) {
		t.Fatalf("pending %v, want %v", p, want)
	}
}

func TestFakePendingListsDeadlinesInOrder(t *testing.T) {
	f := clock.NewFake()
	f.NewTimer(3 * time.Second)
	stopped := f.NewTimer(2 * time.Second)
	f.NewTimer(time.Second)
	stopped.Stop()
	want := []time.Time{clock.Epoch.Add(time.Second), clock.Epoch.Add(3 * time.Second)}
	if p := f.Pending(); !slices.EqualFunc(p, want, time.Time.Equal) {
		t.Fatalf("pending %v, want %v", p, want)
	}
	f.Advance(time.Second)
	if p := f.Pending(); len(p) != 1 || !p[0].Equal(want[1]) {
		t.Fatalf("pending after the first fired: %v", p)
	}
}

func TestTickerOnTheRealClock(t *testing.T) {
	tk := clock.NewTicker(clock.Real(), time.Millisecond)
	defer tk.Stop()
	var last time.Time
	for i := 0; i < 2; i++ {
		select {
		case at := <-tk.C():
			if !at.After(last) {
				t.Fatalf("tick %d at %v, not after %v", i, at, last)
			}
			last = at
			tk.Next(at)
		case <-time.After(30 * time.Second):
			t.Fatalf("tick %d never came", i)
		}
	}
}

package testutil

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitForReturnsOnceCondHolds(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	WaitFor(t, "three", 30*time.Second, func() bool { return n.Load() == 3 })
	if n.Load() != 3 {
		t.Fatalf("returned at %d", n.Load())
	}
}

// fatalTB records a Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	failed string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f)
}

func TestWaitForFailsAfterTheDeadline(t *testing.T) {
	f := &fatalTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(f) {
				panic(r)
			}
		}()
		WaitFor(f, "never", time.Millisecond, func() bool { return false })
	}()
	if f.failed == "" {
		t.Fatal("WaitFor returned on a condition that never held")
	}
}

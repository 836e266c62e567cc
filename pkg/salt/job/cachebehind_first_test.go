package job

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// A write queued with DoFirst is made before the writes queued with Do
// that still wait (a job's files before the returns of the job before),
// after the one being made; a Do queued after it still comes after it,
// and Flush waits for all of them.
func TestBehindDoFirstGoesAhead(t *testing.T) {
	c, b := behindCache(t)
	var mu sync.Mutex
	var order []string
	note := func(s string) func(*Cache) error {
		return func(*Cache) error { mu.Lock(); order = append(order, s); mu.Unlock(); return nil }
	}
	gate, holding := make(chan struct{}), make(chan struct{})
	b.Do(func(*Cache) error { close(holding); <-gate; return nil }, nil) // holds the writer
	<-holding
	for i := range 3 {
		b.Do(note(fmt.Sprint("ret", i)), nil)
	}
	stored := make(chan error, 1)
	b.DoFirst(note("load1"), func(err error) { stored <- err })
	b.DoFirst(note("load2"), nil)
	b.Do(note("ret-of-load2"), nil)
	close(gate)
	if err := <-stored; err != nil {
		t.Fatalf("stored: %v", err)
	}
	b.Flush()
	mu.Lock()
	want := []string{"load1", "load2", "ret0", "ret1", "ret2", "ret-of-load2"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	mu.Unlock()

	// Queued while a batch of Do writes is being made, it goes before the
	// rest of the batch.
	order = nil
	gate, holding = make(chan struct{}), make(chan struct{})
	b.Do(func(*Cache) error { close(holding); <-gate; return nil }, nil)
	b.Do(note("a"), nil)
	b.Do(note("b"), nil)
	<-holding
	b.DoFirst(note("first"), nil)
	close(gate)
	b.Flush()
	mu.Lock()
	if want := []string{"first", "a", "b"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	mu.Unlock()
	b.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

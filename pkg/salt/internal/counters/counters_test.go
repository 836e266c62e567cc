package counters

import (
	"maps"
	"sync"
	"testing"
)

func TestCountersCountAndCopy(t *testing.T) {
	var c Counters
	if s := c.Snapshot(); s == nil || len(s) != 0 {
		t.Fatalf("zero Counters: Snapshot() = %#v, want an empty map", s)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Add("bad_load")
			}
		}()
	}
	wg.Wait()
	c.Add("publish")
	s := c.Snapshot()
	if want := map[string]uint64{"bad_load": 800, "publish": 1}; !maps.Equal(s, want) {
		t.Fatalf("Snapshot() = %v, want %v", s, want)
	}
	s["router_x"] = 1 // a copy: the caller's changes stay its own
	if _, ok := c.Snapshot()["router_x"]; ok {
		t.Fatal("a change to a snapshot reached the counters")
	}
}

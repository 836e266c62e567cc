// Package counters is a daemon's statistics: how often each thing
// happened, refusals by reason, so that no drop goes uncounted. The master
// and the minion keep one each and report it in their Stats.
package counters

import (
	"maps"
	"sync"
)

// Counters counts by name. The zero value is ready to use, and safe for
// concurrent use.
type Counters struct {
	mu sync.Mutex
	m  map[string]uint64
}

// Add counts one more of key.
func (c *Counters) Add(key string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[key]++
	c.mu.Unlock()
}

// AddN counts n more of key.
func (c *Counters) AddN(key string, n uint64) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[key] += n
	c.mu.Unlock()
}

// Snapshot returns a copy of the counts, never nil, which the caller may
// change (the master adds its router's counts to it).
func (c *Counters) Snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.m))
	maps.Copy(out, c.m)
	return out
}

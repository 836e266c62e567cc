package minion

import (
	"maps"
	"sync"
)

// counters are the minion's statistics: refusals by reason, so that no
// drop goes uncounted.
type counters struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (c *counters) add(key string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[key]++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// Package gone remembers the local yards a daemon found gone, so that a
// yard that goes away is one warning, not one per message that was on its
// way to it (a burst of 500 jobs once printed 1,181 "broken pipe" lines).
package gone

import "sync"

// Max bounds the yards remembered. Yard names carry a session id, so a
// long-running daemon sees ever new ones; past Max the oldest is
// forgotten, which at worst repeats its warning once.
const Max = 1024

// Yards is a set of gone yard names. The zero value is ready; it is safe
// for concurrent use.
type Yards struct {
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
}

// First records yard as gone and reports whether it was not already: the
// caller warns when it is true and only counts otherwise.
func (g *Yards) First(yard string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, known := g.set[yard]; known {
		return false
	}
	if g.set == nil {
		g.set = map[string]struct{}{}
	}
	g.set[yard] = struct{}{}
	g.order = append(g.order, yard)
	if len(g.order) > Max {
		delete(g.set, g.order[0])
		g.order = g.order[1:]
	}
	return true
}

// Back forgets yard: it is there again, and its next going is news.
func (g *Yards) Back(yard string) {
	g.mu.Lock()
	delete(g.set, yard)
	g.mu.Unlock()
}

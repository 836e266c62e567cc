package master

import (
	"errors"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// pendingFullEvery paces the warning for new keys refused because
// max_pending_keys are pending: a join flood would otherwise write one log
// line per spoofed id.
const pendingFullEvery = time.Minute

// refusalLog reports refusals at a bounded pace, with how many there were.
type refusalLog struct {
	mu     sync.Mutex
	last   time.Time
	unsaid int
}

// due counts a refusal and reports whether to log now, and how many were
// refused since the last line.
func (l *refusalLog) due(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unsaid++
	if !l.last.IsZero() && now.Sub(l.last) < pendingFullEvery {
		return false, 0
	}
	n := l.unsaid
	l.last, l.unsaid = now, 0
	return true, n
}

// keyWarnings logs what the key store met while deciding a join.
func (m *Master) keyWarnings(id string, warnings []error) {
	for _, w := range warnings {
		if !errors.Is(w, pki.ErrPendingFull) {
			m.log.Warnf("Key of %s: %v", id, w)
			continue
		}
		m.stats.Add("pending_keys_refused")
		if ok, n := m.pendingFull.due(m.now()); ok {
			m.log.Warnf("%v (%d new keys refused since the last report)", w, n)
		}
	}
}

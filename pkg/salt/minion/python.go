package minion

import "github.com/saltraet/saltraet/pkg/salt/modules"

// openFallback starts the Python worker that runs Salt's own modules where
// Python Salt is installed (python_fallback); nil when there is none.
func (m *Minion) openFallback() modules.Fallback {
	return nil
}

package master

import (
	"maps"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// joinCounts counts the estates joined, and those joining: known, not
// joined (a join under way, or pended until salt-key accepts the key) and
// not reaped, as presence_req's "joining" lists them.
func (m *Master) joinCounts() (joined, joining int) {
	m.remotesMu.Lock()
	reaped := maps.Clone(m.reaped)
	m.remotesMu.Unlock()
	for _, rs := range m.road.Remotes() {
		switch {
		case rs.Joined == road.Yes:
			joined++
		case !reaped[rs.Name]:
			joining++
		}
	}
	return joined, joining
}

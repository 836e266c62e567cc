package master

import (
	"maps"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// joinLog tells the log, at each presence interval, how many estates are
// joined and how many still joining while some are (a join storm, or keys
// waiting for salt-key), and once when none is left joining.
type joinLog struct{ joining bool }

func (l *joinLog) log(m *Master) {
	joined, joining := m.joinCounts()
	switch {
	case joining > 0:
		m.log.Infof("Road: %d estate(s) joined, %d still joining", joined, joining)
	case l.joining:
		m.log.Infof("Road: %d estate(s) joined, none joining", joined)
	}
	l.joining = joining > 0
}

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

package minion

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// asctime is Python's time.asctime() layout.
const asctime = "Mon Jan _2 15:04:05 2006"

// masterWork is what the minion does once it first has a master and its
// pillar, once per run: the start events (Minion._fire_master_minion_start)
// and the mine schedule (mine.go).
type masterWork struct {
	startOnce, mineOnce sync.Once
}

// onFirstPillar follows the pillar fetch after an allow: the first time,
// the start events go to the master, then the mine schedule starts.
func (m *Minion) onFirstPillar() {
	m.work.startOnce.Do(func() {
		ctx, cancel := context.WithTimeout(m.jobCtx, m.o.returnTimeout)
		defer cancel()
		m.fireStartEvents(ctx)
	})
	m.startMine()
}

// fireStartEvents is Minion._fire_master_minion_start: "Minion <id>
// started at <asctime>" fired on the master's bus as minion_start (unless
// enable_legacy_startup_events is off) and salt/minion/<id>/start, with
// the start_event_grains as the load's grains, so that reactors see the
// minion come up.
func (m *Minion) fireStartEvents(ctx context.Context) {
	data := fmt.Sprintf("Minion %s started at %s", m.id, time.Now().Format(asctime))
	var tags []string
	if legacy, ok := m.cfg.Raw["enable_legacy_startup_events"]; !ok || py.Truthy(legacy) {
		tags = append(tags, "minion_start")
	}
	tags = append(tags, "salt/minion/"+m.id+"/start")
	names, _ := m.cfg.Raw["start_event_grains"].([]any)
	for _, tag := range tags {
		load := protocol.MinionEventLoad(m.id, tag, data)
		if len(names) > 0 {
			grains := map[string]any{}
			g := m.Grains()
			for _, n := range names {
				if v, ok := g[py.Str(n)]; ok {
					grains[py.Str(n)] = v
				}
			}
			load.Set("grains", grains)
		}
		if _, err := m.Request(ctx, load); err != nil {
			m.log.Infof("Start event %s not fired: %v", tag, err)
		}
	}
}

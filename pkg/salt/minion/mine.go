package minion

import (
	"context"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// The mine schedule is Salt's __mine_interval schedule job: with
// mine_enabled, mine.update runs when the minion has its master and pillar
// (run on start), then every mine_interval minutes, so that the master's
// mine holds the mine_functions' returns without anyone calling
// mine.update.

// startMine starts the schedule once, after the first pillar fetched from
// an allowing master (the pillar may configure mine_functions); later
// calls do nothing. It ends with the minion's jobs.
func (m *Minion) startMine() {
	if !m.cfg.MineEnabled || m.cfg.MineInterval <= 0 {
		return
	}
	m.work.mineOnce.Do(func() { go m.mineLoop(m.jobCtx, time.Duration(m.cfg.MineInterval)*time.Minute) })
}

// mineLoop runs mine.update now and after every interval of the
// minion's clock until ctx ends.
func (m *Minion) mineLoop(ctx context.Context, interval time.Duration) {
	timer := m.o.clock.NewTimer(interval)
	defer timer.Stop()
	for {
		m.mineUpdate(ctx)
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return
		case <-timer.C():
		}
	}
}

// mineUpdate runs mine.update as a local call; a failure is logged, and
// the next interval tries again.
func (m *Minion) mineUpdate(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, m.o.returnTimeout)
	defer cancel()
	res := m.modules.Run(ctx, "mine.update", nil, modules.Pub{})
	switch {
	case res.Raised:
		m.log.Warnf("Scheduled mine.update failed: %v", res.Return)
	case res.Return == false:
		m.log.Warnf("Scheduled mine.update: the master did not keep the mine data")
	default:
		m.log.Debugf("Scheduled mine.update: %v", res.Return)
	}
}

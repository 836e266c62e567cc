package master

import (
	"context"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// joinProgressEvery is how often the master says, while estates are
// joining, how many are joined and how many still joining.
const joinProgressEvery = 5 * time.Second

// joinCount is what the road knows of its estates at one moment.
type joinCount struct {
	allowed, joining, total int
}

// countJoins counts the estates allowed, and those on the road not (yet)
// joined and allowed: a join or an allow under way, or one to come.
func countJoins(remotes map[uint32]road.RemoteState) joinCount {
	var n joinCount
	for _, rs := range remotes {
		n.total++
		switch {
		case rs.Joined == road.Yes && rs.Allowed == road.Yes:
			n.allowed++
		case rs.Alived != road.No:
			n.joining++
		}
	}
	return n
}

// joinProgress logs, every joinProgressEvery while any estate is joining
// or the counts changed, how many minions are joined and allowed and how
// many are still joining, so an operator watching a join storm sees it
// converge (or not). An idle master logs nothing, and does not count
// either: once the counts held still with nothing joining, it waits for
// the road's next event (a join, an allow, a loss) before counting again.
func (m *Master) joinProgress(ctx context.Context) error {
	var last joinCount
	for {
		m.everyUntil(ctx, joinProgressEvery, func() bool {
			// A count sees every road event before it: their stirs are
			// spent here, or a settled count would be woken at once by
			// the joins it has just counted and tick once more for nothing.
			select {
			case <-m.roadStirred:
			default:
			}
			n := countJoins(m.road.Remotes())
			if n == last {
				return n.joining == 0
			}
			last = n
			m.log.Infof("Road: %d minion estates joined and allowed, %d still joining (%d known)", n.allowed, n.joining, n.total)
			return false
		})
		select {
		case <-ctx.Done():
			return nil
		case <-m.roadStirred:
		}
	}
}

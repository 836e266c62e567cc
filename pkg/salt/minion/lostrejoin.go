package minion

import (
	"math/rand/v2"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// masterLost follows a master that stopped answering: the minion joins it
// again as if it had just started, as Salt's minion authenticates again
// when it cannot talk to its master. A master back with new keys, or
// without its road keep, answers nothing signed with the old ones or for
// the old session, so only a join finds it out; its key is then judged
// again, and a changed one refused and said so.
//
// The join again waits a period and a random while first (rejoinWait), and is called
// off when the master answers an alive or allows the minion in the
// meantime. A master too busy to answer within the alive timeout (a join
// storm on it) is not gone: joining it again at once, every minion at the
// same moment, would hand it a storm of vacuous joins, each a key check
// and a new session, which makes it slower still, and more minions lose
// it: the melt Salt's ZeroMQ masters are known for in re-auth storms.
func (m *Minion) masterLost(ev road.Event, addr string) {
	m.stats.Add("master_lost")
	m.masters.mu.Lock()
	var wait time.Duration
	if ms := m.masters.byUID(ev.UID); ms != nil {
		wait = m.rejoinWait(ms.rejoins)
		ms.rejoinAt = m.o.clock.Now().Add(wait)
	}
	m.masters.mu.Unlock()
	m.log.Warnf("Master %s at %s stopped answering; joining it again in %v unless it answers first", ev.Name, addr, wait.Round(time.Millisecond))
}

// maxRejoinDoublings bounds how far the random part of the wait grows for
// a master that answered none of the joins again: 2^3 times.
const maxRejoinDoublings = 3

// rejoinWait is the wait before joining a lost master again, after tries
// joins again that it has not answered since. A period first: a master
// only busy answers late (its socket seconds deep in a storm), and those
// answers, or its next alive, come within it and call the join off,
// where a wait from zero let some minions join again at once (3,111 of
// 10,000 joined again in one storm). Then a random while up to two keep-alive
// periods or the acceptance wait, whichever is less, so the minions that
// lost a master together come back spread out; doubled for each join
// again left unanswered, so a master that stays silent is asked less and
// less often.
func (m *Minion) rejoinWait(tries int) time.Duration {
	period := m.o.timers.Period
	window := 2 * period
	if aw := secondsOf(m.cfg.AcceptanceWaitTime); aw > 0 && aw < window {
		window = aw
	}
	if window <= 0 {
		return period
	}
	window <<= min(max(tries, 0), maxRejoinDoublings)
	return period + rand.N(window)
}

// masterBack calls off the join again of a master that answered.
func (m *Minion) masterBack(uid uint32) {
	m.masters.mu.Lock()
	if ms := m.masters.byUID(uid); ms != nil {
		ms.rejoinAt, ms.rejoins = time.Time{}, 0
	}
	m.masters.mu.Unlock()
}

// rejoinLost joins again the lost masters whose wait is over.
func (m *Minion) rejoinLost(now time.Time) {
	m.masters.mu.Lock()
	var due []*master
	for _, ms := range m.masters.list {
		if ms.uid != 0 && !ms.rejoinAt.IsZero() && !now.Before(ms.rejoinAt) {
			ms.rejoinAt = time.Time{}
			ms.rejoins++
			due = append(due, ms)
		}
	}
	m.masters.mu.Unlock()
	for _, ms := range due {
		if err := m.road.Rejoin(ms.uid, true); err != nil {
			if err != road.ErrStopped {
				m.log.Warnf("Master %s stopped answering; cannot join it again: %v", ms.addr, err)
			}
			continue
		}
		m.stats.Add("master_rejoined")
		m.log.Infof("Joining master %s again: it did not answer", ms.addr)
	}
}

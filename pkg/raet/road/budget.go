package road

import "time"

// A main's presence has a budget (issue 16): it starts at most
// PresenceRate alives a second, however many estates it holds. Without
// one, a main with 10,000 estates at Salt's 3 s period started 3,333
// signed alives a second, each answered (a quarter of a core idle), and
// after a job to all, which restarts every estate's presence timer at
// once, it started them in one burst whose answers came late and were
// asked again. With the budget:
//
//   - an alive due when the budget is spent is given the next free slot,
//     1/PresenceRate after the one before, and goes then: estates due
//     together are spread evenly, and with many estates each is alived
//     every estates/PresenceRate seconds when that is longer than the
//     period (at the default 1,000 a second: 3 s up to 3,000 estates, 5 s
//     at 5,000, 10 s at 10,000);
//   - traffic in between (a message, the estate's own alive) restarts the
//     presence timer and gives the slot up: nothing is sent in it;
//   - a minion whose master's alive is later than its own period and the
//     follower's slack (presence.go) sends its own, which the main answers
//     (a verification and a signature, no transaction, no repeats on this
//     side). So past the point where the stretched period exceeds the
//     minions' period and slack, the budget shifts the alives to the
//     minions rather than saving them: the main then answers at most one
//     alive an estate per minion period and slack (3.75 s for Salt's
//     3 s), still fewer than it led at its own 3 s, and none of its own
//     under way to time out or repeat while it is loaded. Minions at 6 s
//     (salt-load's emulated ones) stay followers up to 7,500 estates,
//     Salt's at 3 s up to 3,750.
//
// The default bounds the main's own alives to about 80 ms of CPU a second
// (a signature and a verification each, ~80 µs on the 2-core machine of
// BENCHMARKS.md); a dead estate is still found dead within the stretched
// period and the aliver's timeout, and reaped within the interim.
//
// A slot is a reservation: the remote holds it (budgetSlot) until it is
// used or its presence timer is restarted, so a burst costs one heap entry
// per remote and no retries. An idle pair never waits: the budget only
// bites past PresenceRate alives due within presenceBurst.

// DefaultPresenceRate is Config.PresenceRate when zero.
const DefaultPresenceRate = 1000

// presenceBurst is how far ahead of its slot an alive may go, and the step
// of the slots: alives due within one step go in one pass of the loop.
const presenceBurst = 100 * time.Millisecond

// presenceRate is the alives presence management may start a second, or 0
// for no bound.
func (c *core) presenceRate() int { return bound(c.cfg.PresenceRate, DefaultPresenceRate) }

// presenceSlot says whether r's alive, due now, may go: yes when the budget
// has room, or r reached the slot it was given; else r is given the next
// free slot and its presence timer set to it.
func (c *core) presenceSlot(r *Remote, now time.Time) bool {
	rate := c.presenceRate()
	if rate == 0 || r.budgetSlot {
		r.budgetSlot = false
		return true
	}
	slot := c.presenceTAT
	if slot.Before(now) {
		slot = now
	}
	// A slot given up (its remote's timer restarted by traffic, or by
	// the remote's own alive) is not given back. When the estates lead
	// (the main's stretched period past their wait) nearly every slot is
	// given up, and without a horizon the next free slot ran ever further
	// ahead (600 ms a second at 10,000 estates): the main sent none of
	// its own and a dead estate was never alived. No slot lies further
	// than one stretched period, estates/rate, ahead.
	if h := now.Add(time.Duration(len(c.remotes)) * time.Second / time.Duration(rate)); slot.After(h) {
		slot = h
	}
	c.presenceTAT = slot.Add(time.Second / time.Duration(rate))
	if !slot.After(now.Add(presenceBurst)) {
		return true
	}
	c.stat("presence_deferred")
	// The slots are whole steps of presenceBurst, not 1/rate apart: the
	// loop wakes once a step and sends that step's alives together, in one
	// batch of writes, their answers read in batches too. Spread 1 ms
	// apart, each alive was a wake, a write and a read of its own, and
	// cost the main twice as much CPU as in a burst (5,000 estates: 1,050
	// alives a second for 173-200 ms/s, against 1,750 for 137-147 ms/s).
	r.presenceAt, r.budgetSlot = slot.Truncate(presenceBurst), true
	return false
}

package road

import "time"

// One alive exchange per period between two idle estates. RAET's presence
// timer is restarted by any alive, sent or answered (RemoteEstate.refresh),
// so the side whose timer runs out first sends and the other, hearing it,
// answers and has no need to send its own. But two sides that once sent at
// the same moment each hear the other's alive while their own is on its
// way, restart their timers together, and from then on both send every
// period: two exchanges where one does, two signatures and two
// verifications each for nothing. Hence, on this stack:
//
//   - a side that answers its peer's alive follows it: its own alive waits
//     a slack beyond the period, so it goes only if the peer's next alive
//     is late, and a refresh does not bring that wait forward;
//   - a main leads the estates that joined it, which follow (an idle
//     minion then only answers: no timer of its own fires, no alive
//     waits on an answer); between two estates alike, when both sent at
//     once, the one whose name sorts first leads, so the next period has
//     one exchange;
//   - a follower whose peer fell silent sends after the period and the
//     slack, with an aliver's timeout shorter by the slack, so it finds the
//     peer dead as soon as a leader would: a period and the aliver's timeout
//     after the last alive it heard.
//
// A reference peer, which always sends its own alive when its timer runs
// out, still works: a reference main's alive comes first and this side
// follows it; with a reference estate that joined this main, both send
// each period, as before.

// followSlack is how late a peer's alive may be before a follower sends its
// own: a quarter period, at most half the aliver's timeout (the part of the
// timeout the follower gives up).
func (c *core) followSlack() time.Duration {
	t := c.cfg.Timers
	g := t.Period / 4
	if t.AliverTimeout > 0 {
		g = min(g, t.AliverTimeout/2)
	}
	return g
}

// answered restarts a remote's presence timer when this stack answered its
// alive: it is alive, and it keeps the pace unless both sides sent at once
// and this one leads.
func (c *core) answered(r *Remote) {
	c.refresh(r, Yes)
	if c.leads(r) {
		return
	}
	if at := c.clock.Now().Add(c.cfg.Timers.Period + c.followSlack()); at.After(r.presenceAt) {
		r.presenceAt = at
	}
	r.following = true
}

// leads says whether this stack keeps the pace of the alives with r: a
// main with an estate that is not one; else, when both sent at once, the
// one whose name sorts first.
func (c *core) leads(r *Remote) bool {
	if c.cfg.Main != r.Main {
		return c.cfg.Main
	}
	return c.sending(r) && c.name < r.Name
}

// sending says whether this stack has an alive of its own to r under way.
func (c *core) sending(r *Remote) bool {
	for _, t := range r.transactions {
		if _, ok := t.(*aliver); ok {
			return true
		}
	}
	return false
}

// aliverTimeout is the timeout of the alive presence management sends when
// r's presence timer ran out: the configured one, less the slack a
// follower waited beyond the period.
func (c *core) aliverTimeout(r *Remote) time.Duration {
	d := timeout(c.cfg.Timers.AliverTimeout)
	if r.following && d > 0 {
		d -= c.followSlack()
	}
	return d
}

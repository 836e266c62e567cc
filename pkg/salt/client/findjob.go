package client

import (
	"context"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// A job's minions that did not return in time are asked, with
// saltutil.find_job, whether they still run it (LocalClient.gather_job_info);
// the wait goes on while any says so.

// findJob publishes saltutil.find_job to the waiting minions
// (LocalClient.gather_job_info) and starts a new round. It reports false
// when the master is not there to take it now, and is to be asked again
// (for up to GatherJobTimeout).
func (f *follower) findJob(ctx context.Context, waiting []string) bool {
	c := f.c
	now := f.now()
	if f.findUntil.IsZero() {
		f.findUntil = now.Add(f.gatherTimeout())
	}
	f.running = false
	f.asked, f.answered = map[string]bool{}, map[string]bool{}
	f.lastAnswer = f.now()
	for _, id := range waiting {
		f.asked[id] = true
	}
	c.log.Debugf("job %s: asking %v whether they still run it", f.jid, waiting)
	fj, targeted, err := c.Publish(ctx, waiting, "list", protocol.FunFindJob, protocol.FindJobArgs(f.jid), c.cfg.FindJobKwargs)
	if masterAway(err) && now.Before(f.findUntil) && ctx.Err() == nil {
		c.log.Debugf("job %s: saltutil.find_job not taken, asking again: %v", f.jid, err)
		f.running = true
		return false
	}
	f.findUntil = time.Time{}
	if err != nil {
		// No key matches any more (ErrNoMinions), or the master is gone:
		// nobody will say the job still runs.
		c.log.Debugf("job %s: saltutil.find_job not sent: %v", f.jid, err)
		f.findJID = ""
		for _, id := range waiting {
			f.answered[id] = true
		}
		return true
	}
	f.findJID = fj
	for _, id := range waiting {
		if !slices.Contains(targeted, id) {
			f.answered[id] = true
		}
	}
	c.addWatch(f.w, fj)
	return true
}

// roundAnswered reports whether every waiting minion asked in this
// find_job round has answered that it does not run the job (and their
// deadlines have passed), the answers having settled; else when to look
// again, if an answer is only settling.
func (f *follower) roundAnswered(waiting []string, now time.Time) (bool, time.Time) {
	if f.findJID == "" && f.asked == nil {
		return false, time.Time{}
	}
	for _, id := range waiting {
		if f.asked[id] && !f.answered[id] {
			return false, time.Time{}
		}
		if now.Before(f.deadline[id]) {
			return false, time.Time{}
		}
	}
	if at := f.lastAnswer.Add(settle); now.Before(at) {
		return false, at
	}
	return true, time.Time{}
}

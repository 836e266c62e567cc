package client

import (
	"context"
	"time"
)

// ReturnsGather is Returns with each saltutil.find_job round waiting
// gather rather than Config.GatherJobTimeout, as a runner's
// gather_job_timeout argument asks (manage.status); gather <= 0 keeps the
// client's.
func (c *LocalClient) ReturnsGather(ctx context.Context, jid string, minions []string, timeout, gather time.Duration) <-chan Return {
	out := make(chan Return)
	w := &watch{notify: make(chan struct{}, 1)}
	c.addWatch(w, jid)
	go func() {
		defer close(out)
		defer c.dropWatch(w)
		f := follower{c: c, w: w, jid: jid, out: out, timeout: timeout, gather: gather}
		f.run(ctx, minions)
	}()
	return out
}

// gatherTimeout is how long a find_job round of this follower waits.
func (f *follower) gatherTimeout() time.Duration {
	if f.gather > 0 {
		return f.gather
	}
	return f.c.cfg.GatherJobTimeout
}

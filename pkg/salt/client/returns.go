package client

import (
	"context"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Why a minion did not return.
const (
	// NoResponse: the publish was delivered (or nothing said otherwise)
	// and the minion neither returned nor said it still ran the job.
	NoResponse = "No response"
	// NotDelivered: no salt/job/<jid>/delivered/<id> event came, so the
	// minion's road stack never acknowledged the publish.
	NotDelivered = "Not delivered"
)

// Return is one minion's answer to a job, or the notice that it gave none.
type Return struct {
	ID  string
	JID string
	// Ret is what the minion returned ("return" of its return load), or,
	// for a minion that did not return, "Minion did not return. [<why>]".
	Ret any
	// Out is the outputter the return names ("" for none), "no_return"
	// for a minion that did not return.
	Out string
	// Retcode is Salt's retcode of the return: its retcode (the largest
	// for a compound command's mapping), or 1 when it has none and says
	// success false; 1 for a minion that did not return.
	Retcode int
	// Data is the return event's data as the master fired it; nil for a
	// minion that did not return.
	Data body.Map
	// Missing is "" for a return, NoResponse or NotDelivered otherwise.
	Missing string
	// Error is why the master could not deliver the publish, when it said
	// so (salt/job/<jid>/undelivered/<id>).
	Error string
}

// MissingMessage is the text Salt shows for a minion that did not return.
func MissingMessage(why string) string { return "Minion did not return. [" + why + "]" }

// settle is how long the last answer to saltutil.find_job must be old
// before the wait ends early, so that a return sent just before a "not
// running any more" answer is not overtaken.
const settle = 200 * time.Millisecond

// Returns follows job jid, published to minions, and sends on the channel
// each minion's Return as it comes, then one Return for each minion that
// did not return, in id order, and closes the channel. It waits timeout
// for the returns; then it asks the minions still missing with
// saltutil.find_job and waits on while any says it still runs the job,
// each round up to Config.GatherJobTimeout. A round ends early when every
// minion asked has answered that it does not run the job. A minion the
// master reports as undelivered (salt/job/<jid>/undelivered/<id>) is not
// waited for. Ending ctx closes the channel without the missing minions.
func (c *LocalClient) Returns(ctx context.Context, jid string, minions []string, timeout time.Duration) <-chan Return {
	out := make(chan Return)
	w := &watch{notify: make(chan struct{}, 1)}
	c.addWatch(w, jid)
	go func() {
		defer close(out)
		defer c.dropWatch(w)
		f := follower{c: c, w: w, jid: jid, out: out, timeout: timeout}
		f.run(ctx, minions)
	}()
	return out
}

type follower struct {
	c       *LocalClient
	w       *watch
	jid     string
	out     chan<- Return
	timeout time.Duration
	gather  time.Duration // each find_job round; 0 is Config.GatherJobTimeout (gather.go)

	expected    []string // in the order first known
	isExpected  map[string]bool
	found       map[string]bool
	delivered   map[string]bool
	undelivered map[string]string
	deadline    map[string]time.Time // minion_timeouts
	missing     map[string]bool      // the master's missing list: targeted ids with no key

	findJID    string
	asked      map[string]bool // the minions of the current find_job round
	answered   map[string]bool
	lastAnswer time.Time
	running    bool
	findUntil  time.Time // while the master is away, find_job is tried again until then
	restarts   int       // the client's restarts already looked at in the job cache
}

// now reads the client's clock, which times the rounds.
func (f *follower) now() time.Time { return f.c.cfg.Clock.Now() }

func (f *follower) expect(id string, now time.Time) {
	if f.isExpected[id] {
		return
	}
	f.isExpected[id] = true
	f.expected = append(f.expected, id)
	f.deadline[id] = now.Add(f.timeout)
}

func (f *follower) waiting() []string {
	var ids []string
	for _, id := range f.expected {
		if _, gone := f.undelivered[id]; !f.found[id] && !gone {
			ids = append(ids, id)
		}
	}
	return ids
}

func (f *follower) emit(ctx context.Context, r Return) bool {
	select {
	case f.out <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

// run follows the job: the returns as they come, then the minions that
// did not return.
func (f *follower) run(ctx context.Context, minions []string) {
	f.isExpected, f.found, f.delivered = map[string]bool{}, map[string]bool{}, map[string]bool{}
	f.undelivered, f.deadline, f.missing = map[string]string{}, map[string]time.Time{}, map[string]bool{}
	now := f.now()
	for _, id := range minions {
		f.expect(id, now)
	}
	f.running = true // so that the missing are asked at least once
	if !f.wait(ctx, now.Add(f.timeout)) {
		return
	}
	// The master may have stored returns it could not fire to this client.
	if !f.fromCache(ctx) {
		return
	}
	f.reportMissing(ctx)
}

// wait takes the job's events until no minion is awaited any more: each
// returned, or Salt's end came (the timeout and the find_job rounds are
// over and no minion runs the job). It reports false when ctx ended or
// the client closed.
func (f *follower) wait(ctx context.Context, timeoutAt time.Time) bool {
	c := f.c
	timer := c.cfg.Clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if !f.catchUp(ctx) {
			return false
		}
		waiting := f.waiting()
		if len(waiting) == 0 {
			return true
		}
		now := f.now()
		if !now.Before(timeoutAt) && f.running {
			if f.findJob(ctx, waiting) {
				timeoutAt = f.now().Add(f.gatherTimeout())
			} else {
				timeoutAt = f.now().Add(c.cfg.ProbeInterval)
			}
			continue
		}
		next, over := f.nextLook(waiting, now, timeoutAt)
		if over {
			return true
		}
		timer.Reset(max(next.Sub(now), time.Millisecond))
		select {
		case <-f.w.notify:
		case <-timer.C():
		case <-ctx.Done():
			return false
		case <-c.evt.Stopped():
			return false
		}
	}
}

// catchUp takes the events queued for the job and, after the master was
// restarted, the returns it stored meanwhile; false when ctx ended.
func (f *follower) catchUp(ctx context.Context) bool {
	c := f.c
	for _, ev := range c.take(f.w) {
		if !f.handle(ctx, ev) {
			return false
		}
	}
	if n := c.restarted(); n != f.restarts {
		f.restarts = n
		return f.fromCache(ctx)
	}
	return true
}

// nextLook says when to look at the waiting minions again, before the
// timeout; over is true when the wait is over: the find_job round ended
// and no minion runs the job, or every one asked answered so.
func (f *follower) nextLook(waiting []string, now, timeoutAt time.Time) (next time.Time, over bool) {
	next = timeoutAt
	if f.running {
		return next, false
	}
	for _, id := range waiting {
		if d := f.deadline[id]; d.After(next) {
			next = d
		}
	}
	if !now.Before(next) {
		return next, true // Salt's end: the round is over and no minion runs the job
	}
	if early, at := f.roundAnswered(waiting, now); early {
		return next, true
	} else if !at.IsZero() && at.Before(next) {
		next = at
	}
	return next, false
}

// reportMissing emits a Return for each minion that did not return, in id
// order, saying whether the publish reached it.
func (f *follower) reportMissing(ctx context.Context) {
	missing := f.waiting()
	for id := range f.undelivered {
		if !f.found[id] && f.isExpected[id] {
			missing = append(missing, id)
		}
	}
	for id := range f.missing { // never waited for: no key, so no publish
		if !f.found[id] && !f.isExpected[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for _, id := range missing {
		why := NotDelivered
		if _, gone := f.undelivered[id]; (f.delivered[id] || f.missing[id]) && !gone {
			why = NoResponse // as Salt reports its missing list: {"failed": True}
		}
		r := Return{ID: id, JID: f.jid, Ret: MissingMessage(why), Out: "no_return", Retcode: 1, Missing: why, Error: f.undelivered[id]}
		if !f.emit(ctx, r) {
			return
		}
	}
}

// fromCache emits the returns the master stored in its job cache for the
// minions still awaited (or reported undelivered: a publish sent again
// may have reached them); false when ctx ended.
func (f *follower) fromCache(ctx context.Context) bool {
	var ids []string
	for _, id := range f.expected {
		if !f.found[id] {
			ids = append(ids, id)
		}
	}
	cached := f.c.cached(f.jid, ids)
	for _, id := range ids {
		data, ok := cached[id]
		if !ok {
			continue
		}
		f.c.log.Debugf("job %s: the return of %s read from the job cache", f.jid, id)
		f.found[id] = true
		if !f.emit(ctx, makeReturn(f.jid, id, data)) {
			return false
		}
	}
	return true
}

// addMissing notes the master's missing list of a job's event (the ids
// a list target named that have no accepted key), which Salt's
// get_iter_returns reports as not returned once the wait is over.
func (f *follower) addMissing(data body.Map) {
	v, _ := data.Get("missing")
	list, _ := v.([]any)
	for _, x := range list {
		if id, ok := x.(string); ok && id != "" {
			f.missing[id] = true
		}
	}
	if ids, ok := v.([]string); ok {
		for _, id := range ids {
			f.missing[id] = true
		}
	}
}

// handle takes one event of the job or of its current find_job round.
func (f *follower) handle(ctx context.Context, ev Event) bool {
	now := f.now()
	switch ev.JID {
	case f.jid:
		switch ev.Kind {
		case "ret":
			if ev.Data == nil || !ev.Data.Has("return") {
				return true
			}
			id, ok := ev.Data.String("id")
			if !ok {
				id = ev.ID
			}
			if id == "" || f.found[id] {
				return true
			}
			f.expect(id, now)
			f.found[id] = true
			return f.emit(ctx, makeReturn(f.jid, id, ev.Data))
		case "delivered":
			f.delivered[ev.ID] = true
		case "undelivered":
			why, _ := ev.Data.String("error")
			if why == "" {
				why = "undelivered"
			}
			f.undelivered[ev.ID] = why
			f.c.log.Infof("job %s: the publish could not be delivered to %s: %s", f.jid, ev.ID, why)
		default:
			// salt/job/<jid>/new and the like: the master's list of
			// minions, which Salt adds to those it waits for.
			if ms, err := protocol.Minions(ev.Data); err == nil && !ev.Data.Has("return") {
				for _, id := range ms {
					f.expect(id, now)
				}
				f.addMissing(ev.Data)
			}
		}
	case f.findJID:
		if ev.ID == "" || !f.asked[ev.ID] {
			return true
		}
		switch ev.Kind {
		case "ret":
			f.answered[ev.ID] = true
			f.lastAnswer = now
			if protocol.FindJobRunning(ev.Data) {
				f.c.log.Debugf("job %s: %s still runs it", f.jid, ev.ID)
				f.deadline[ev.ID] = now.Add(f.timeout)
				f.running = true
			}
		case "undelivered":
			f.answered[ev.ID] = true
			f.lastAnswer = now
		}
	}
	return true
}

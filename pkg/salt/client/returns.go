package client

import (
	"context"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
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

	expected    []string // in the order first known
	isExpected  map[string]bool
	found       map[string]bool
	delivered   map[string]bool
	undelivered map[string]string
	deadline    map[string]time.Time // minion_timeouts

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

func (f *follower) run(ctx context.Context, minions []string) {
	c := f.c
	f.isExpected, f.found, f.delivered = map[string]bool{}, map[string]bool{}, map[string]bool{}
	f.undelivered, f.deadline = map[string]string{}, map[string]time.Time{}
	now := f.now()
	for _, id := range minions {
		f.expect(id, now)
	}
	timeoutAt := now.Add(f.timeout)
	f.running = true // so that the missing are asked at least once
	timer := c.cfg.Clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for _, ev := range c.take(f.w) {
			if !f.handle(ctx, ev) {
				return
			}
		}
		if n := c.restarted(); n != f.restarts {
			f.restarts = n
			if !f.fromCache(ctx) {
				return
			}
		}
		waiting := f.waiting()
		if len(waiting) == 0 {
			break
		}
		now = f.now()
		if !now.Before(timeoutAt) && f.running {
			if f.findJob(ctx, waiting) {
				timeoutAt = f.now().Add(c.cfg.GatherJobTimeout)
			} else {
				timeoutAt = f.now().Add(c.cfg.ProbeInterval)
			}
			continue
		}
		next := timeoutAt
		if !f.running {
			for _, id := range waiting {
				if d := f.deadline[id]; d.After(next) {
					next = d
				}
			}
			if !now.Before(next) {
				break // Salt's end: the round is over and no minion runs the job
			}
			if early, at := f.roundAnswered(waiting, now); early {
				break
			} else if !at.IsZero() && at.Before(next) {
				next = at
			}
		}
		timer.Reset(max(next.Sub(now), time.Millisecond))
		select {
		case <-f.w.notify:
		case <-timer.C():
		case <-ctx.Done():
			return
		case <-c.evt.Stopped():
			return
		}
	}
	// The master may have stored returns it could not fire to this client.
	if !f.fromCache(ctx) {
		return
	}
	missing := f.waiting()
	for id := range f.undelivered {
		if !f.found[id] && f.isExpected[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for _, id := range missing {
		why := NotDelivered
		if _, gone := f.undelivered[id]; f.delivered[id] && !gone {
			why = NoResponse
		}
		r := Return{ID: id, JID: f.jid, Ret: MissingMessage(why), Out: "no_return", Retcode: 1, Missing: why, Error: f.undelivered[id]}
		if !f.emit(ctx, r) {
			return
		}
	}
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

// findJob publishes saltutil.find_job to the waiting minions
// (LocalClient.gather_job_info) and starts a new round. It reports false
// when the master is not there to take it now, and is to be asked again
// (for up to GatherJobTimeout).
func (f *follower) findJob(ctx context.Context, waiting []string) bool {
	c := f.c
	now := f.now()
	if f.findUntil.IsZero() {
		f.findUntil = now.Add(c.cfg.GatherJobTimeout)
	}
	f.running = false
	f.asked, f.answered = map[string]bool{}, map[string]bool{}
	f.lastAnswer = f.now()
	for _, id := range waiting {
		f.asked[id] = true
	}
	c.log.Debugf("job %s: asking %v whether they still run it", f.jid, waiting)
	fj, targeted, err := c.Publish(ctx, waiting, "list", "saltutil.find_job", []any{f.jid}, c.cfg.FindJobKwargs)
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
			if ms, err := stringList(ev.Data, "minions"); err == nil && !ev.Data.Has("return") {
				for _, id := range ms {
					f.expect(id, now)
				}
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
			if stillRunning(ev.Data) {
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

// stillRunning reads a minion's answer to saltutil.find_job as
// get_iter_returns does: an empty mapping (or {"return": {}}) means the
// job is not running there; so does an error (a string, or a non-zero
// retcode).
func stillRunning(data body.Map) bool {
	if n, ok := data.Int("retcode"); ok && n > 0 {
		return false
	}
	v, ok := data.Get("return")
	if !ok {
		return false
	}
	m, ok := v.(body.Map)
	if !ok || len(m) == 0 {
		return false
	}
	if inner, ok := m.Get("return"); ok {
		if im, ok := inner.(body.Map); ok && len(im) == 0 {
			return false
		}
	}
	return true
}

func makeReturn(jid, id string, data body.Map) Return {
	r := Return{ID: id, JID: jid, Data: data}
	r.Ret, _ = data.Get("return")
	r.Out, _ = data.String("out")
	r.Retcode = Retcode(data)
	return r
}

// Retcode is the salt command's retcode of a return event's data
// (SaltCMD._get_retcode over get_iter_returns' entry): the retcode when it
// is not 0, the largest value when it is a mapping (a compound command).
// A return with no retcode counts as 1 when it says success false — the
// RAET jobber leaves retcode out when the function failed, where the
// ZeroMQ minion Salt 3006 users know sets it to 1 — and 0 otherwise.
func Retcode(data body.Map) int {
	v, ok := data.Get("retcode")
	if !ok || v == nil {
		if s, ok := data.Bool("success"); ok && !s {
			return 1
		}
		return 0
	}
	if m, ok := v.(body.Map); ok {
		best := 0
		for _, it := range m {
			if n, ok := (body.Map{it}).Int(it.Key); ok && int(n) > best {
				best = int(n)
			}
		}
		return best
	}
	if n, ok := data.Int("retcode"); ok {
		return int(n)
	}
	return 1 // a retcode that is not a number is not success
}

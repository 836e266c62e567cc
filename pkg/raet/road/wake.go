package road

import (
	"container/heap"
	"time"
)

// The loop sleeps until the next thing that must happen: a transaction's
// timeout or retransmission, a remote's presence or reap time, a done
// message id to forget. Finding that must not cost a walk over every remote
// on every datagram (a main may hold thousands), so each remote keeps one
// entry in a heap, at its own earliest deadline, and whatever touches a
// remote re-arms it.

// wakeEntry schedules a remote's next deadline.
type wakeEntry struct {
	at time.Time
	r  *Remote
}

type wakeHeap []wakeEntry

func (h wakeHeap) Len() int           { return len(h) }
func (h wakeHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h wakeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *wakeHeap) Push(x any)        { *h = append(*h, x.(wakeEntry)) }
func (h *wakeHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = wakeEntry{}
	*h = old[:len(old)-1]
	return e
}

// doneEntry is a message id to forget at a time. Every id is remembered for
// the same span, so the entries come due in the order they were made.
type doneEntry struct {
	at  time.Time
	r   *Remote
	key doneKey
}

// remoteDeadline is the earliest time anything of the remote is due: its
// transactions, and with presence management its alive and reap times.
func (c *core) remoteDeadline(r *Remote) time.Time {
	var next time.Time
	soonest := func(d time.Time) {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	for _, t := range r.transactions {
		soonest(t.deadline())
	}
	if c.cfg.Manage && !r.Reaped {
		soonest(r.presenceAt)
		soonest(r.reapAt)
	}
	return next
}

// rewake schedules the remote's earliest deadline, unless an entry at or
// before it is already in the heap.
func (c *core) rewake(r *Remote) {
	if r == nil {
		return
	}
	at := c.remoteDeadline(r)
	if at.IsZero() || (!r.wakeAt.IsZero() && !at.Before(r.wakeAt)) {
		return
	}
	r.wakeAt = at
	heap.Push(&c.wakes, wakeEntry{at: at, r: r})
}

// service does what has come due: each remote whose time has come runs its
// due transactions and presence, then is scheduled again; done ids past
// their time are forgotten.
func (c *core) service() {
	now := c.clock.Now()
	for len(c.wakes) > 0 && !c.wakes[0].at.After(now) {
		e := heap.Pop(&c.wakes).(wakeEntry)
		r := e.r
		if !e.at.Equal(r.wakeAt) {
			continue // superseded by an earlier entry, already served
		}
		if c.remotes[r.UID] != r && c.joinees[r.HA] != r {
			r.wakeAt = time.Time{}
			continue // removed: nothing of it runs any more
		}
		r.wakeAt = time.Time{}
		for _, idx := range r.inOrder() {
			t, ok := r.transactions[idx]
			if !ok {
				continue // ended by one processed before it
			}
			if d := t.deadline(); !d.IsZero() && !d.After(now) {
				t.process(now)
			}
		}
		if c.cfg.Manage {
			c.manageRemote(r, now)
		}
		c.rewake(r)
	}
	for len(c.doneQueue) > 0 && !c.doneQueue[0].at.After(now) {
		d := c.doneQueue[0]
		c.doneQueue[0] = doneEntry{}
		c.doneQueue = c.doneQueue[1:]
		if rec, ok := d.r.done[d.key]; ok && rec.at.Equal(d.at) {
			delete(d.r.done, d.key)
		}
	}
}

// deadline is when service next has work to do; zero for never. It first
// tidies the top of the heap, so that the loop's one timer is set for
// something that is really due: an entry a transaction's end left behind
// (an alive answered before its retransmission) would otherwise wake an
// idle stack for nothing once a period.
func (c *core) deadline() time.Time {
	c.tidyWakes()
	var next time.Time
	if len(c.wakes) > 0 {
		next = c.wakes[0].at
	}
	if len(c.doneQueue) > 0 && (next.IsZero() || c.doneQueue[0].at.Before(next)) {
		next = c.doneQueue[0].at
	}
	return next
}

// tidyWakes drops the entries at the top of the wake heap that no longer
// stand for anything due: those superseded or of a removed remote, and
// those of a remote whose earliest deadline has moved on since (its entry
// is pushed again at the new one). It stops at the first entry that is
// exact, so it costs one look at the top remote when nothing changed.
func (c *core) tidyWakes() {
	for len(c.wakes) > 0 {
		e := c.wakes[0]
		r := e.r
		if !e.at.Equal(r.wakeAt) {
			heap.Pop(&c.wakes) // superseded by an earlier entry, already served
			continue
		}
		if c.remotes[r.UID] != r && c.joinees[r.HA] != r {
			heap.Pop(&c.wakes)
			r.wakeAt = time.Time{}
			continue
		}
		at := c.remoteDeadline(r)
		if at.Equal(e.at) {
			return
		}
		heap.Pop(&c.wakes)
		r.wakeAt = time.Time{}
		c.rewake(r)
	}
}

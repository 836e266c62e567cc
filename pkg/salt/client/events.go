package client

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Event is one event the master fired.
type Event struct {
	Tag  string
	Data body.Map
	// JID, Kind and ID are read from a tag salt/job/<jid>/<kind>[/<id>];
	// empty for other tags.
	JID, Kind, ID string
}

// readEvents hands each event to the job that watches its jid, or keeps it
// for a job that is about to be watched.
func (c *LocalClient) readEvents() {
	defer c.done.Done()
	for {
		select {
		case r := <-c.evt.Receive():
			c.dispatch(r.Body)
		case <-c.evt.Stopped():
			return
		}
	}
}

func (c *LocalClient) dispatch(m body.Map) {
	// The master sends what it fires while this yard is behind in
	// batches (the client subscribes asking for them).
	if events, ok := protocol.BatchedEvents(m); ok {
		for _, ev := range events {
			c.dispatch(ev)
		}
		return
	}
	tag, ok := protocol.EventTag(m)
	if !ok {
		c.log.Debugf("a message on the event yard with no tag: %v", m.Keys())
		return
	}
	c.tapStreams(tag, m)
	je, ok := protocol.ParseJobTag(tag)
	if !ok {
		return
	}
	ev := Event{Tag: tag, Data: protocol.EventDataMap(m), JID: je.JID, Kind: je.Kind, ID: je.ID}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := c.watches[ev.JID]; w != nil {
		w.queue = append(w.queue, ev)
		w.wake()
		return
	}
	if !c.claimed[ev.JID] && c.pending == 0 {
		return
	}
	if len(c.backlog[ev.JID]) >= maxBacklog {
		c.dropped++
		if c.dropped == 1 {
			c.log.Warnf("more than %d events for job %s before anyone watched it; dropping the rest", maxBacklog, ev.JID)
		}
		return
	}
	c.backlog[ev.JID] = append(c.backlog[ev.JID], ev)
}

// watch is what one Returns waits on: the events of its jobs, in order.
type watch struct {
	queue  []Event // guarded by the client's mu
	notify chan struct{}
}

func (w *watch) wake() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (c *LocalClient) addWatch(w *watch, jid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watches[jid] = w
	w.queue = append(w.queue, c.backlog[jid]...)
	delete(c.backlog, jid)
	delete(c.claimed, jid)
	w.wake()
}

func (c *LocalClient) dropWatch(w *watch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for jid, x := range c.watches {
		if x == w {
			delete(c.watches, jid)
		}
	}
}

func (c *LocalClient) take(w *watch) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

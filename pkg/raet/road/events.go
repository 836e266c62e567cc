package road

// EventKind names what happened to a remote.
type EventKind string

const (
	EventJoined  EventKind = "joined"  // a join completed: names, uids and keys exchanged
	EventAllowed EventKind = "allowed" // a handshake completed: a new session
	EventAlived  EventKind = "alived"  // the remote answers again
	EventLost    EventKind = "lost"    // the remote stopped answering
	EventRemoved EventKind = "removed" // the remote was forgotten (rejected, or its join refused for good)
	EventReaped  EventKind = "reaped"  // a main gave up on a remote silent for the interim
)

// Event is a change in what the stack knows of a remote.
type Event struct {
	Kind EventKind
	Name string
	UID  uint32
}

// maxEvents bounds the events waiting for a reader that never comes; past
// it they are counted in the stats, not queued.
const maxEvents = 4096

func (c *core) emit(kind EventKind, r *Remote) {
	c.stat("event_" + string(kind)) // joins, allows, lost and reaped estates, for metrics
	if len(c.events) >= maxEvents {
		c.stat("events_dropped")
		return
	}
	c.events = append(c.events, Event{Kind: kind, Name: r.Name, UID: r.UID})
}

package route

// Depths is how much waits inside a router, for a daemon's metrics.
type Depths struct {
	// Outboxes is how many yards have messages waiting for the lane, and
	// Queued how many messages wait in them in all (each outbox holds at
	// most Outbox).
	Outboxes, Queued int
	// Local is the messages Send left for the handlers, not yet handled.
	Local int
}

// Depths returns how much waits inside the router now.
func (r *Router) Depths() Depths {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := Depths{Outboxes: len(r.outboxes), Local: len(r.local)}
	for _, ob := range r.outboxes {
		d.Queued += len(ob.queue)
	}
	return d
}

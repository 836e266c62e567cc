package lane

// Depths is how much waits inside a lane stack, for a daemon's metrics.
type Depths struct {
	// Yards is how many remote yards the stack knows, Queued how many
	// messages wait for their writers in all (each yard's queue holds at
	// most YardQueue).
	Yards, Queued int
	// Received is the messages received and not yet taken by Receive.
	Received int
}

// Depths returns how much waits inside the stack now.
func (s *Stack) Depths() Depths {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := Depths{Yards: len(s.yards), Received: len(s.recv)}
	for _, y := range s.yards {
		d.Queued += len(y.queue)
	}
	return d
}

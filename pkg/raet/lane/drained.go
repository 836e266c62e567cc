package lane

// Backlogged reports whether messages given for the yard are still waiting
// or being sent: its receiver has not taken everything yet. A yard not
// known, or stopped, is not backlogged.
func (s *Stack) Backlogged(yard string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	y := s.yards[yard]
	return y != nil && y.dead == nil && (len(y.queue) > 0 || y.busy)
}

// Drained waits until the yard is no longer backlogged: what was given
// for it has been written to its socket, or failed, or the stack stopped.
// A sender that gathers what it has for a yard while it waits here sends
// it in fewer messages (the master's batched events), at the pace the
// yard reads.
func (s *Stack) Drained(yard string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		y := s.yards[yard]
		if y == nil || y.dead != nil || (len(y.queue) == 0 && !y.busy) {
			return
		}
		y.cond.Wait()
	}
}

// outQueuer is a Conn that tells how many bytes it sent are still unread
// by their receivers.
type outQueuer interface{ OutQueued() int }

// Unread reports whether datagrams this stack sent are still in a
// receiver's socket, to any yard; false when the socket cannot tell.
func (s *Stack) Unread() bool {
	oq, ok := s.conn.(outQueuer)
	return ok && oq.OutQueued() > 0
}

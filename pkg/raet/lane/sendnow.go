package lane

import "errors"

// TryWriter is a Conn that can send a datagram without waiting: sent is
// false, with no error, when the receiver's queue is full and nothing was
// sent.
type TryWriter interface {
	TryWriteTo(b []byte, to string) (sent bool, err error)
}

// sendNow sends a one-page message on Transmit's goroutine when nothing
// waits for the yard and its receiver has room: the hand-off to the
// yard's writer, a goroutine woken per message, was the lane's main cost
// on the job path (a publish, its reply and each event). A message of
// several pages, or one the receiver has no room for, is queued for the
// writer, which waits for room. s.mu is held (released while sending);
// sent is false when the message is still to be queued. A yard found gone
// is forgotten, as its writer would.
func (s *Stack) sendNow(y *Yard, pages [][]byte) (d *Delivery, sent bool) {
	tw, ok := s.conn.(TryWriter)
	if !ok || len(pages) != 1 || len(y.queue) > 0 || y.busy {
		return nil, false
	}
	y.busy = true
	s.mu.Unlock()
	ok, err := tw.TryWriteTo(pages[0], y.HA)
	s.mu.Lock()
	y.busy = false
	y.cond.Broadcast() // the writer may go on
	switch {
	case ok:
		s.stats["page_tx"]++
		s.stats["message_tx"]++
		return failed(nil), true
	case err == nil: // no room: the writer waits for it
		return nil, false
	case errors.Is(err, ErrClosed):
		err = ErrStopped
	case errors.Is(err, ErrGone):
		s.stats["stale_transmit_yard"]++
	default:
		s.stats["error_transmit_yard"]++
	}
	if s.yards[y.Name] == y {
		delete(s.yards, y.Name)
	}
	s.stopLocked(y, err)
	return failed(err), true
}

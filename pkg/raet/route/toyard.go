package route

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// toYard gives a message for a yard to the lane: at once when nothing waits
// in the yard's outbox and the lane's queue for it has room, else through
// the outbox.
func (r *Router) toYard(m Message, yard string) error {
	if r.cfg.Lane == nil {
		return r.drop("no_lane", m, fmt.Errorf("%w to reach yard %s", ErrNoLane, yard))
	}
	r.mu.Lock()
	ob := r.outboxes[yard]
	if ob == nil {
		// Nothing waits for the yard: the lane takes the message now, on
		// this goroutine, unless its own queue for the yard is full. A
		// goroutine per outbox was a hand-off per reply and event.
		// Counted first, as the yard may read it before TryTransmit returns.
		r.stats["lane_forwarded"]++
		r.mu.Unlock()
		if d, queued := r.cfg.Lane.TryTransmit(m.Body, yard); queued {
			r.awaitForward(m, yard, d)
			return nil
		}
		r.mu.Lock()
		r.stats["lane_forwarded"]-- // counted below
		ob = r.outboxes[yard]
	}
	if ob == nil {
		ob = &outbox{}
		r.outboxes[yard] = ob
		go r.deliver(yard, ob)
	}
	if len(ob.queue) >= r.cfg.Outbox {
		r.mu.Unlock()
		return r.drop("lane_outbox_full", m, fmt.Errorf("%w %s (%d)", ErrOutboxFull, yard, r.cfg.Outbox))
	}
	ob.queue = append(ob.queue, m)
	r.stats["lane_forwarded"]++
	r.mu.Unlock()
	return nil
}

// awaitForward reports a message the lane failed to send: at once when
// its outcome is known, else once it is, apart.
func (r *Router) awaitForward(m Message, yard string, d *lane.Delivery) {
	select {
	case <-d.Done():
		if err := d.Err(); err != nil {
			r.drop("lane_forward_failed", m, fmt.Errorf("route: to yard %s: %w", yard, err))
		}
	default:
		go func() {
			if err := d.Err(); err != nil {
				r.drop("lane_forward_failed", m, fmt.Errorf("route: to yard %s: %w", yard, err))
			}
		}()
	}
}

package minion

import (
	"errors"

	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// undeliverable hears from the router of what it could not route. The
// policy's refusals are counted and logged once (refused). A local yard
// the lane cannot send to is gone: one line for it (info when its socket
// file is gone, a warning for any other failure), and the messages that
// were on their way to it are counted.
func (m *Minion) undeliverable(msg route.Message, err error) {
	var rf *route.Refusal
	switch {
	case errors.As(err, &rf):
		m.refused(msg, rf)
	case errors.Is(err, route.ErrStopped), errors.Is(err, lane.ErrStopped):
		m.log.Debugf("Message %s not routed: %v", msg.Route, err)
	case (msg.Route.Dst.Estate == "" || msg.Route.Dst.Estate == m.estate) && msg.Route.Dst.Yard != "" &&
		!errors.Is(err, route.ErrOutboxFull) && !errors.Is(err, route.ErrInvalidRoute):
		if m.gone.First(msg.Route.Dst.Yard) {
			m.stats.Add("lane_yard_gone")
			logf := m.log.Warnf
			if errors.Is(err, lane.ErrGone) { // closed in order, as a local tool does on exit
				logf = m.log.Infof
			}
			logf("Yard %s is gone (%v); what was on its way to it is dropped", msg.Route.Dst.Yard, err)
			return
		}
		m.stats.Add("lane_yard_gone_dropped")
	default:
		m.stats.Add("undeliverable")
		m.log.Warnf("Message %s not routed: %v", msg.Route, err)
	}
}

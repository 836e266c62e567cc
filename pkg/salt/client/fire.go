package client

import (
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// FireEvent fires an event on the master's bus from the client's yard
// (SaltEvent.fire_event on the master's event: salt-run's salt/run/<jid>/new
// and ret). data must not change afterwards: the lane packs it later. The
// error says the master could not be reached; delivery to subscribers is
// not confirmed.
func (c *LocalClient) FireEvent(tag string, data any) error {
	if err := c.cli.Transmit(protocol.EventFireRequest(c.cli.Name(), tag, data), protocol.YardManor).Err(); err != nil {
		return sendError(err, c.manorPath())
	}
	return nil
}

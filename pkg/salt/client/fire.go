package client

import (
	"context"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Fire fires an event on the master's bus (event_fire to its manor yard,
// protocol.FireEvent), as a runner fires through the master's event
// socket: salt/key when manage.down deletes keys. It returns once the
// master's socket took it, or with why it could not.
func (c *LocalClient) Fire(ctx context.Context, tag string, data any) error {
	d := c.cli.Transmit(protocol.FireEvent(c.cli.Name(), tag, data), protocol.YardManor)
	select {
	case <-d.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := d.Err(); err != nil {
		return sendError(err, c.manorPath())
	}
	return nil
}

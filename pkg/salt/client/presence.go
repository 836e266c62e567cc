package client

import (
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Presence states the master answers for (presence_req's data.state).
var presenceStates = map[string]bool{"available": true, "present": true, "joined": true, "allowed": true, "alived": true, "reaped": true, "joining": true}

// Presence asks the master which minion estates are in state (available,
// present, joined, allowed, alived or reaped; "" is available) and returns
// them by name with their IP address, as the master's presence_req answers
// (a salt/presence/present event to the client yard). The wait is
// Config.ReplyTimeout; a master that does not answer is ErrNoReply.
func (c *LocalClient) Presence(ctx context.Context, state string) (body.Map, error) {
	if state != "" && !presenceStates[state] {
		return nil, fmt.Errorf("unknown presence state %q (available, present, joined, allowed, alived, reaped, joining)", state)
	}
	// The reply comes on the client yard, as a publish's does: one
	// request at a time on each.
	y, err := c.takeYard(ctx)
	if err != nil {
		return nil, err
	}
	defer c.giveYard(y)
	req := protocol.PresenceRequest(y.Name(), state)
	_, key := protocol.PresenceState(req)
	drainReplies(y)
	if err := y.Transmit(req, protocol.YardManor).Err(); err != nil {
		return nil, sendError(err, c.manorPath())
	}
	var estates body.Map
	err = c.awaitManor(ctx, y, " to a presence request", func(r lane.Received) (bool, error) {
		m := r.Body
		if tag, _ := protocol.EventTag(m); tag != protocol.TagPresencePresent {
			c.log.Debugf("dropping a message on the client yard while waiting for presence: %v", m.Keys())
			return false, nil
		}
		v, ok := protocol.EventDataMap(m).Get(key)
		if !ok {
			return false, nil // not the answer to this request
		}
		if estates, ok = v.(body.Map); !ok && v != nil {
			// the periodic event lists names only; the answer maps them
			c.log.Debugf("dropping a presence event whose %q is a %T", key, v)
			return false, nil
		}
		return true, nil
	})
	return estates, err
}

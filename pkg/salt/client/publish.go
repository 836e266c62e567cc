package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Publish sends a job to the master (a publish load on its local_cmd share)
// and returns the jid and the minions it was sent to. tgt is a string, or a
// list of ids for tgt_type "list"; fun a function name, or a list of them
// for a compound command; args the argument list as job.ParseInput makes
// it; kwargs the load's kwargs (job.CLIKwargs for the salt command's).
//
// Errors: ErrNoMinions when no accepted key matched (no jid was
// allocated), a *PublishError when the master refused the publish,
// ErrNoMaster when its manor yard is gone, ErrNoReply when it did not
// answer within Config.ReplyTimeout.
//
// A publish refused for its access key is made once more when
// Config.KeyFile holds another key by then: the master was restarted.
func (c *LocalClient) Publish(ctx context.Context, tgt any, tgtType string, fun any, args []any, kwargs body.Map) (string, []string, error) {
	return c.PublishJob(ctx, job.Publish{Tgt: tgt, TgtType: tgtType, Fun: fun, Arg: args, Kwargs: kwargs})
}

// PublishJob is Publish with every field of the load p describes: Ret
// (the returners of --return) and JID too. Key and User are the
// client's.
func (c *LocalClient) PublishJob(ctx context.Context, p job.Publish) (string, []string, error) {
	y, err := c.takeYard(ctx)
	if err != nil {
		return "", nil, err
	}
	defer c.giveYard(y)
	jid, minions, err := c.publish(ctx, y, p)
	if isAuthError(err) && c.readKey() {
		c.log.Debugf("publishing again with the master's new access key")
		jid, minions, err = c.publish(ctx, y, p)
	}
	return jid, minions, err
}

// publish sends one publish from yard y, which it holds, and waits for
// its reply.
func (c *LocalClient) publish(ctx context.Context, y *lane.Stack, p job.Publish) (string, []string, error) {
	drainReplies(y)
	p.Key, p.User = c.key(), c.cfg.User
	p.Kwargs = c.withAuth(p.Kwargs)
	load := job.PublishLoad(p)
	if !c.beginPublish() {
		return "", nil, ErrClosed
	}
	defer c.endPublish()
	c.log.Debugf("publishing %v to %v (%s)", p.Fun, p.Tgt, p.TgtType)
	if err := y.Transmit(protocol.PublishRequest(y.Name(), load), protocol.YardManor).Err(); err != nil {
		return "", nil, sendError(err, c.manorPath())
	}
	return c.awaitReply(ctx, y, p.Fun)
}

// drainReplies drops what waits on a client yard: a reply to an earlier
// request that gave up waiting is not this one's.
func drainReplies(y *lane.Stack) {
	for {
		select {
		case <-y.Receive():
		default:
			return
		}
	}
}

// beginPublish counts a publish waiting for its reply, so that the events
// of its job, which may come first, are kept; false when the client is
// closed.
func (c *LocalClient) beginPublish() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.pending++
	return true
}

// endPublish ends what beginPublish began; when no publish waits any more,
// the events kept for jobs nobody claimed are dropped.
func (c *LocalClient) endPublish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending--
	if c.pending == 0 {
		for jid := range c.backlog {
			if !c.claimed[jid] {
				delete(c.backlog, jid)
			}
		}
	}
}

// awaitReply waits on yard y for the master's reply to a publish of fun.
func (c *LocalClient) awaitReply(ctx context.Context, y *lane.Stack, fun any) (jid string, minions []string, err error) {
	err = c.awaitManor(ctx, y, "", func(r lane.Received) (bool, error) {
		ret, ok := protocol.Return(r.Body)
		if !ok {
			c.log.Warnf("a message from %s on the client yard with no return: %v", r.From, r.Body.Keys())
			return false, nil
		}
		var perr error
		jid, minions, perr = protocol.ParsePublishReply(ret, fun)
		if errors.Is(perr, protocol.ErrStaleReply) {
			c.log.Debugf("dropping a reply to an earlier publish: %v", perr)
			return false, nil
		}
		return true, perr
	})
	if err != nil {
		return "", nil, err
	}
	c.claim(jid)
	c.log.Debugf("job %s published to %v", jid, minions)
	return jid, minions, nil
}

// awaitManor waits on yard y, for at most the reply timeout, until take
// says a message received is the answer it waits for (or an error). what
// names the request in the timeout's error.
func (c *LocalClient) awaitManor(ctx context.Context, y *lane.Stack, what string, take func(lane.Received) (bool, error)) error {
	timer := c.cfg.Clock.NewTimer(c.cfg.ReplyTimeout)
	defer timer.Stop()
	for {
		select {
		case r := <-y.Receive():
			if done, err := take(r); done || err != nil {
				return err
			}
		case <-timer.C():
			return fmt.Errorf("%w%s within %v", ErrNoReply, what, c.cfg.ReplyTimeout)
		case <-ctx.Done():
			return ctx.Err()
		case <-y.Stopped():
			return ErrClosed
		}
	}
}

// claim keeps the events of a job just published for whoever watches it
// next, unless it is watched already.
func (c *LocalClient) claim(jid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watches[jid] == nil {
		c.claimed[jid] = true
	}
}

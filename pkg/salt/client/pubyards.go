package client

import (
	"context"

	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// The master answers a publish on the yard that sent it, and its reply
// names no request: a yard has one publish (or presence request) at a time
// waiting for its answer. One yard made every publish of a client wait for
// the one before it to be answered, and the salt API or a bench with jobs
// published from many goroutines spent ~95% of the time in that wait
// (0.7 ms per publish: 1,400 jobs/s at most, whatever the cores). So a
// publish that finds every yard of the client waiting opens another client
// yard, up to maxPubYards; the event yard stays one, so each event still
// comes once. The salt command, one publish at a time, keeps its one
// client yard. The wire is unchanged: each yard is an ordinary lane yard.

// maxPubYards bounds the client yards of one client.
const maxPubYards = 8

// takeYard returns a client yard no request is waiting on, opening one
// when all are busy and fewer than maxPubYards are open, else waiting for
// one to be given back. A yard that cannot be opened is waited for too.
func (c *LocalClient) takeYard(ctx context.Context) (*lane.Stack, error) {
	select {
	case y := <-c.idle:
		return y, nil
	default:
	}
	if y := c.openYard(); y != nil {
		return y, nil
	}
	select {
	case y := <-c.idle:
		return y, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.cli.Stopped():
		return nil, ErrClosed
	}
}

// giveYard hands a yard back for the next request.
func (c *LocalClient) giveYard(y *lane.Stack) { c.idle <- y }

// openYard opens and runs one more client yard; nil when maxPubYards are
// open, the client is closed, or the yard could not be made.
func (c *LocalClient) openYard() *lane.Stack {
	c.mu.Lock()
	if c.closed || c.yards >= maxPubYards {
		c.mu.Unlock()
		return nil
	}
	c.yards++
	c.mu.Unlock()
	y, err := c.yard("client")
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		c.yards--
		if err == nil {
			y.Run(canceled()) // closes the socket and removes its file
		} else {
			c.log.Warnf("publishing on the yards already open: %v", err)
		}
		return nil
	}
	// Added under c.mu, which Close takes before it waits: never after.
	c.done.Add(1)
	go c.runYard(y)
	return y
}

// runYard serves a yard until the client closes.
func (c *LocalClient) runYard(s *lane.Stack) {
	defer c.done.Done()
	if err := s.Run(c.ctx); err != nil {
		c.log.Warnf("lane yard %s stopped: %v", s.Name(), err)
	}
}

package client

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// A master restarted under a running salt command knows nothing of the
// command's subscription and writes a new access key; the returns its
// minions send meanwhile reach the job cache and are fired to nobody. The
// client therefore watches the manor's socket file: a new file means a new
// master, which is subscribed to again at once, whose key is read again,
// and after which each job followed looks in the job cache for the returns
// it may have missed.

// defaultProbe is how often the manor's socket file is looked at.
const defaultProbe = 500 * time.Millisecond

// manorFile is what identifies one master's manor socket: a master that
// starts binds a new file (SIGKILL leaves the old one in place, SIGTERM
// removes it), so another inode or modification time is another master.
type manorFile struct{ fi os.FileInfo }

func (a manorFile) same(b manorFile) bool {
	return a.fi != nil && b.fi != nil && os.SameFile(a.fi, b.fi) && a.fi.ModTime().Equal(b.fi.ModTime())
}

func (c *LocalClient) manorPath() string {
	return lane.HA(c.cfg.SockDir, c.cfg.Lane, protocol.YardManor)
}

func statManor(path string) manorFile {
	fi, err := os.Stat(path)
	if err != nil {
		return manorFile{}
	}
	return manorFile{fi}
}

// subscribe sends event_req from the event yard, asking for batched events
// (protocol.EventBatch): a job to thousands of minions then costs the
// master and this process fewer lane messages.
func (c *LocalClient) subscribe() error {
	return c.evt.Transmit(protocol.EventSubscriptionBatched(c.evt.Name()), protocol.YardManor).Err()
}

// watchManor subscribes again to each new master until the client closes.
func (c *LocalClient) watchManor(ctx context.Context, known manorFile) {
	defer c.done.Done()
	t := clock.NewTicker(c.cfg.Clock, c.cfg.ProbeInterval)
	defer t.Stop()
	gone := false
	for {
		select {
		case <-ctx.Done():
			return
		case at := <-t.C():
			t.Next(at)
		}
		now := statManor(c.manorPath())
		if now.fi == nil {
			if !gone {
				c.log.Warnf("The master's manor yard %s is gone; waiting for the master to come back", c.manorPath())
			}
			gone = true
			continue
		}
		if now.same(known) {
			continue
		}
		if err := c.subscribe(); err != nil {
			// Not listening yet, or a stale file: the next look tries again.
			c.log.Debugf("The master's manor yard %s is there again but does not take a subscription yet: %v", c.manorPath(), err)
			continue
		}
		c.readKey()
		if gone {
			c.log.Warnf("The salt master is back; subscribed again to its events on %s", c.manorPath())
		} else {
			c.log.Infof("The salt master was restarted; subscribed again to its events on %s", c.manorPath())
		}
		known, gone = now, false
		c.mu.Lock()
		c.restarts++
		for _, w := range c.watches {
			w.wake()
		}
		c.mu.Unlock()
	}
}

// key is the access key to publish with.
func (c *LocalClient) key() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.curKey
}

// readKey reads Config.KeyFile again; it reports whether the key changed.
// A key that cannot be read leaves the old one, which the master will
// refuse, saying so.
func (c *LocalClient) readKey() bool {
	if c.cfg.KeyFile == "" {
		return false
	}
	b, err := os.ReadFile(c.cfg.KeyFile)
	if err != nil {
		c.log.Warnf("Cannot read the master's access key again: %v", err)
		return false
	}
	key := string(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if key == c.curKey {
		return false
	}
	c.curKey = key
	c.log.Debugf("Read the master's new access key from %s", c.cfg.KeyFile)
	return true
}

// restarted is how many times a new master was subscribed to.
func (c *LocalClient) restarted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restarts
}

// isAuthError tells a publish refused for its access key.
func isAuthError(err error) bool {
	var pe *PublishError
	return errors.As(err, &pe) && pe.Name == "AuthenticationError"
}

// masterAway tells a publish that failed because the master is not (yet)
// serving: down, restarting, or started with a key not read yet.
func masterAway(err error) bool {
	return errors.Is(err, ErrNoMaster) || errors.Is(err, ErrNoReply) || isAuthError(err)
}

// cached reads the returns of jid the master stored in its job cache, for
// the minions in ids; nil without a job cache.
func (c *LocalClient) cached(jid string, ids []string) map[string]body.Map {
	if c.cfg.JobCache == nil || len(ids) == 0 {
		return nil
	}
	all, err := c.cfg.JobCache.Returns(jid)
	if err != nil {
		c.log.Warnf("Reading the returns of job %s from the job cache: %v", jid, err)
	}
	out := map[string]body.Map{}
	for _, id := range ids {
		if r, ok := all[id]; ok {
			out[id] = r
		}
	}
	return out
}

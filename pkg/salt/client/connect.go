package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// New opens the client's two yards in cfg.SockDir and subscribes to the
// master's events. The master must be running: with no manor socket the
// error is ErrNoMaster, naming the path looked for.
func New(cfg Config) (*LocalClient, error) {
	if cfg.Lane == "" {
		cfg.Lane = "master"
	}
	if cfg.GatherJobTimeout <= 0 {
		cfg.GatherJobTimeout = 10 * time.Second
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = 5 * time.Second
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = defaultProbe
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.FindJobKwargs == nil {
		cfg.FindJobKwargs = job.CLIKwargs(true, false, job.DefaultTargetDelim, true)
	}
	c := &LocalClient{cfg: cfg, log: cfg.Log, watches: map[string]*watch{}, backlog: map[string][]Event{}, claimed: map[string]bool{}, curKey: cfg.Key}
	if c.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		c.log = l
	}
	manor := c.manorPath()
	known := statManor(manor) // before subscribing: a master started after it is subscribed to again
	if known.fi == nil {
		return nil, fmt.Errorf("%w: no socket %s (is salt-master-raet running, with sock_dir %s?)", ErrNoMaster, manor, cfg.SockDir)
	}
	var err error
	if c.cli, err = c.yard("client"); err != nil {
		return nil, err
	}
	if c.evt, err = c.yard("event"); err != nil {
		c.cli.Run(canceled()) // closes the socket and removes its file
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.ctx, c.cancel = ctx, cancel
	c.idle = make(chan *lane.Stack, maxPubYards)
	c.idle <- c.cli
	c.yards = 1
	for _, s := range []*lane.Stack{c.cli, c.evt} {
		c.done.Add(1)
		go func() {
			defer c.done.Done()
			if err := s.Run(ctx); err != nil {
				c.log.Warnf("lane yard %s stopped: %v", s.Name(), err)
			}
		}()
	}
	c.done.Add(1)
	go c.readEvents()
	if err := c.subscribe(); err != nil {
		c.Close()
		return nil, sendError(err, manor)
	}
	c.done.Add(1)
	go c.watchManor(ctx, known)
	c.log.Debugf("yards %s and %s on lane %s in %s; subscribed to events", c.cli.Name(), c.evt.Name(), cfg.Lane, cfg.SockDir)
	return c, nil
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func (c *LocalClient) yard(prefix string) (*lane.Stack, error) {
	s, err := lane.NewStack(lane.Config{
		Name:          prefix + lane.NewSessionID(),
		Lane:          c.cfg.Lane,
		Dir:           c.cfg.SockDir,
		PackKind:      raet.PackMsgpack,
		RefuseUnknown: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot open a yard in sock_dir %s: %w (the salt command must run as a user that may write there, normally the user the master runs as)", c.cfg.SockDir, err)
	}
	if err := s.AddYard(protocol.YardManor); err != nil {
		s.Run(canceled())
		return nil, err
	}
	return s, nil
}

func sendError(err error, manor string) error {
	if errors.Is(err, lane.ErrGone) {
		return fmt.Errorf("%w: nobody listens on %s (is salt-master-raet running?)", ErrNoMaster, manor)
	}
	if errors.Is(err, lane.ErrStopped) {
		return ErrClosed
	}
	return fmt.Errorf("cannot send to the master's manor yard %s: %w", manor, err)
}

// ClientYard and EventYard are the names of the client's yards.
func (c *LocalClient) ClientYard() string { return c.cli.Name() }
func (c *LocalClient) EventYard() string  { return c.evt.Name() }

// Close closes both yards (removing their sockets) and ends every Returns
// still running.
func (c *LocalClient) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true // no yard opens from now (openYard)
	c.mu.Unlock()
	c.cancel()
	c.done.Wait()
	c.mu.Lock()
	for _, w := range c.watches {
		w.wake()
	}
	c.mu.Unlock()
	return nil
}

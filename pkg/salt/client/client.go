// Package client is Salt's LocalClient for a master on RAET: it publishes
// jobs to the master's manor yard over the lane and follows their returns
// on the master's event bus, the way the salt command does
// (docs/salt-messages.md, "Lane (master host): salt-raet ↔ manor", and
// ../shared/spec/salt-raet.md §3.1 and §4.3).
//
// A LocalClient opens two yards on lane "master" in the master's sock_dir:
// client<uuid18>, which sends publishes and gets the master's replies, and
// event<uuid18>, which subscribes to the master's events as soon as it is
// made, so that no event of a job published afterwards can be missed.
// Events that arrive for a job before the master's reply (the two come on
// different yards, in no fixed order) are kept until the job is watched.
//
// Returns follows one job as Salt 3006's get_iter_returns does: each
// minion's return as it arrives; after the timeout, saltutil.find_job to
// the minions still missing, waiting on while any says the job still runs
// (each round up to gather_job_timeout); and then one Return for each
// minion that did not return, saying whether the publish was delivered to
// it (a salt/job/<jid>/delivered/<id> event came) or not.
//
// A master restarted meanwhile is noticed by its new manor socket file: the
// client subscribes to it, reads the access key it wrote (Config.KeyFile),
// and reads the returns the master stored in its job cache (Config.JobCache)
// while no event could reach the client; saltutil.find_job goes to the new
// master, and is tried again while the master is not there.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// Errors of Publish (and of New for ErrNoMaster). Each is wrapped with the
// details: test them with errors.Is.
var (
	// ErrNoMaster says the master's manor yard is not there: no socket in
	// sock_dir, or a socket nobody listens on.
	ErrNoMaster = errors.New("the salt master cannot be reached")
	// ErrNoMinions says the master found no accepted key matching the
	// target, so no job was published and no jid allocated.
	ErrNoMinions = errors.New("no minions matched the target")
	// ErrNoReply says the master did not answer a publish in time.
	ErrNoReply = errors.New("the salt master did not answer the publish")
	// ErrClosed says the client was closed.
	ErrClosed = errors.New("client closed")
)

// PublishError is the master refusing a publish: {"error": {"name",
// "message"}} in its reply, e.g. AuthenticationError for a wrong key.
type PublishError struct {
	Name    string // AuthenticationError, AuthorizationError, SaltInvocationError, ...
	Message string
}

func (e *PublishError) Error() string {
	switch {
	case e.Name == "":
		return e.Message
	case e.Message == "":
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// Config makes a LocalClient.
type Config struct {
	// SockDir is the master's sock_dir, where its manor yard listens.
	SockDir string
	// Lane is the master's lane, "master" when empty.
	Lane string
	// Key is the access key the master checks (load.key): the contents of
	// <cachedir>/.<user>_key.
	Key string
	// KeyFile is the file Key was read from. A master writes a new key at
	// each start: it is read again when the master restarts, and when a
	// publish is refused for its key. Empty keeps Key for ever.
	KeyFile string
	// JobCache is the master's job cache. When set, a job's returns the
	// master stored while the client could not hear them (the master was
	// restarted) are read from it; nil reports those minions missing.
	JobCache *job.Cache
	// ProbeInterval is how often the client looks whether the master was
	// restarted (500 ms when zero).
	ProbeInterval time.Duration
	// User is load.user: the user publishing ("root", or "sudo_<user>").
	// Empty leaves it out.
	User string
	// GatherJobTimeout is how long each saltutil.find_job round waits for
	// the missing minions to answer (gather_job_timeout, 10 s when zero).
	GatherJobTimeout time.Duration
	// ReplyTimeout is how long Publish waits for the master's reply (5 s
	// when zero).
	ReplyTimeout time.Duration
	// FindJobKwargs are the kwargs of the saltutil.find_job publishes;
	// nil means job.CLIKwargs(true, false, ":", true).
	FindJobKwargs body.Map
	// Log receives the client's debug and warning lines; nil discards them.
	Log logrus.FieldLogger
	// Clock times the reply, the returns' timeouts and the probes of the
	// master; nil is the real clock.
	Clock clock.Clock
}

// Event is one event the master fired.
type Event struct {
	Tag  string
	Data body.Map
	// JID, Kind and ID are read from a tag salt/job/<jid>/<kind>[/<id>];
	// empty for other tags.
	JID, Kind, ID string
}

// LocalClient publishes jobs and follows their returns. Its methods may be
// called from several goroutines; publishes are sent one at a time.
type LocalClient struct {
	cfg      Config
	log      logrus.FieldLogger
	cli, evt *lane.Stack
	cancel   context.CancelFunc
	done     sync.WaitGroup

	pubMu sync.Mutex // one publish, and so one reply, at a time

	mu       sync.Mutex
	watches  map[string]*watch // by jid
	backlog  map[string][]Event
	claimed  map[string]bool // jids published and not yet watched
	pending  int             // publishes waiting for their reply
	dropped  uint64
	closed   bool
	curKey   string // the access key, read again after a restart
	restarts int    // how many new masters were subscribed to
}

// maxBacklog bounds the events kept for one job nobody watches yet.
const maxBacklog = 10000

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
	if cfg.FindJobKwargs == nil {
		cfg.FindJobKwargs = job.CLIKwargs(true, false, job.DefaultTargetDelim, true)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
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
	c.cancel = cancel
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
	if err := s.AddYard("manor"); err != nil {
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
	c.closed = true
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

// readEvents hands each event to the job that watches its jid, or keeps it
// for a job that is about to be watched.
func (c *LocalClient) readEvents() {
	defer c.done.Done()
	for {
		select {
		case r := <-c.evt.Receive():
			c.dispatch(r.Body)
		case <-c.evt.Stopped():
			return
		}
	}
}

func (c *LocalClient) dispatch(m body.Map) {
	tag, ok := m.String("tag")
	if !ok {
		c.log.Debugf("a message on the event yard with no tag: %v", m.Keys())
		return
	}
	data, _ := m.Map("data")
	ev := Event{Tag: tag, Data: data}
	parts := strings.SplitN(tag, "/", 5)
	if len(parts) < 4 || parts[0] != "salt" || parts[1] != "job" || parts[2] == "" {
		return
	}
	ev.JID, ev.Kind = parts[2], parts[3]
	if len(parts) == 5 {
		ev.ID = parts[4]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := c.watches[ev.JID]; w != nil {
		w.queue = append(w.queue, ev)
		w.wake()
		return
	}
	if !c.claimed[ev.JID] && c.pending == 0 {
		return
	}
	if len(c.backlog[ev.JID]) >= maxBacklog {
		c.dropped++
		if c.dropped == 1 {
			c.log.Warnf("more than %d events for job %s before anyone watched it; dropping the rest", maxBacklog, ev.JID)
		}
		return
	}
	c.backlog[ev.JID] = append(c.backlog[ev.JID], ev)
}

// watch is what one Returns waits on: the events of its jobs, in order.
type watch struct {
	queue  []Event // guarded by the client's mu
	notify chan struct{}
}

func (w *watch) wake() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (c *LocalClient) addWatch(w *watch, jid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watches[jid] = w
	w.queue = append(w.queue, c.backlog[jid]...)
	delete(c.backlog, jid)
	delete(c.claimed, jid)
	w.wake()
}

func (c *LocalClient) dropWatch(w *watch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for jid, x := range c.watches {
		if x == w {
			delete(c.watches, jid)
		}
	}
}

func (c *LocalClient) take(w *watch) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

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
	c.pubMu.Lock()
	defer c.pubMu.Unlock()
	jid, minions, err := c.publish(ctx, tgt, tgtType, fun, args, kwargs)
	if isAuthError(err) && c.readKey() {
		c.log.Debugf("publishing again with the master's new access key")
		jid, minions, err = c.publish(ctx, tgt, tgtType, fun, args, kwargs)
	}
	return jid, minions, err
}

// publish sends one publish and waits for its reply; c.pubMu is held.
func (c *LocalClient) publish(ctx context.Context, tgt any, tgtType string, fun any, args []any, kwargs body.Map) (string, []string, error) {
	// A reply to an earlier publish that gave up waiting is not this one's.
	for drained := false; !drained; {
		select {
		case <-c.cli.Receive():
		default:
			drained = true
		}
	}
	load := job.PublishLoad(job.Publish{Tgt: tgt, Fun: fun, Arg: args, Key: c.key(), TgtType: tgtType, Kwargs: kwargs, User: c.cfg.User})
	msg := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "dst", Value: []any{nil, "manor", "local_cmd"}},
			{Key: "src", Value: []any{nil, c.cli.Name(), nil}},
		}},
		{Key: "load", Value: load},
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return "", nil, ErrClosed
	}
	c.pending++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.pending--
		if c.pending == 0 {
			for jid := range c.backlog {
				if !c.claimed[jid] {
					delete(c.backlog, jid)
				}
			}
		}
		c.mu.Unlock()
	}()
	c.log.Debugf("publishing %v to %v (%s)", fun, tgt, tgtType)
	if err := c.cli.Transmit(msg, "manor").Err(); err != nil {
		return "", nil, sendError(err, lane.HA(c.cfg.SockDir, c.cfg.Lane, "manor"))
	}
	timer := c.cfg.Clock.NewTimer(c.cfg.ReplyTimeout)
	defer timer.Stop()
	for {
		select {
		case r := <-c.cli.Receive():
			ret, ok := r.Body.Map("return")
			if !ok {
				c.log.Warnf("a message from %s on the client yard with no return: %v", r.From, r.Body.Keys())
				continue
			}
			jid, minions, err := parseReply(ret, fun)
			if errors.Is(err, errStale) {
				c.log.Debugf("dropping a reply to an earlier publish: %v", err)
				continue
			}
			if err != nil {
				return "", nil, err
			}
			c.mu.Lock()
			if c.watches[jid] == nil {
				c.claimed[jid] = true
			}
			c.mu.Unlock()
			c.log.Debugf("job %s published to %v", jid, minions)
			return jid, minions, nil
		case <-timer.C():
			return "", nil, fmt.Errorf("%w within %v", ErrNoReply, c.cfg.ReplyTimeout)
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-c.cli.Stopped():
			return "", nil, ErrClosed
		}
	}
}

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
// Publishes made at once from several goroutines open more client yards,
// one per publish waiting for its reply (pubyards.go).
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
//
// The files follow the concerns: client.go the types, connect.go the
// yards, publish.go a publish and its reply, events.go the event yard,
// returns.go and findjob.go the wait for a job's returns, retcode.go what
// a return means to the salt command, reconnect.go a restarted master.
// Every message is built and read by pkg/salt/protocol.
package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Errors of Publish (and of New for ErrNoMaster). Each is wrapped with the
// details: test them with errors.Is.
var (
	// ErrNoMaster says the master's manor yard is not there: no socket in
	// sock_dir, or a socket nobody listens on.
	ErrNoMaster = errors.New("the salt master cannot be reached")
	// ErrNoMinions says the master found no accepted key matching the
	// target, so no job was published and no jid allocated.
	ErrNoMinions = protocol.ErrNoMinions
	// ErrNoReply says the master did not answer a publish in time.
	ErrNoReply = errors.New("the salt master did not answer the publish")
	// ErrClosed says the client was closed.
	ErrClosed = errors.New("client closed")
)

// PublishError is the master refusing a publish: {"error": {"name",
// "message"}} in its reply, e.g. AuthenticationError for a wrong key.
type PublishError = protocol.PublishError

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

// LocalClient publishes jobs and follows their returns. Its methods may be
// called from several goroutines; each publish waiting for its reply holds
// a client yard of its own.
type LocalClient struct {
	cfg      Config
	log      logrus.FieldLogger
	cli, evt *lane.Stack // the first client yard, and the event yard
	ctx      context.Context
	cancel   context.CancelFunc
	done     sync.WaitGroup

	// idle holds the client yards no publish or presence request waits
	// on (one request, and so one reply, at a time on each); yards counts
	// those open (pubyards.go).
	idle chan *lane.Stack

	mu       sync.Mutex
	watches  map[string]*watch // by jid
	backlog  map[string][]Event
	claimed  map[string]bool // jids published and not yet watched
	pending  int             // publishes waiting for their reply
	yards    int             // client yards open
	dropped  uint64
	closed   bool
	curKey   string // the access key, read again after a restart
	restarts int    // how many new masters were subscribed to

	streams streams // raw event streams (stream.go)

	authKw body.Map // kwargs every publish carries (SetAuth, token.go)
}

// maxBacklog bounds the events kept for one job nobody watches yet: a job
// brings two events per minion (delivered, ret), and its publish's reply,
// which says whom to watch, may come after all of them when the master is
// busy; 10,000 dropped the last returns of a job to 5,000 minions, and
// the salt command then waited out its timeout. This is 50,000 minions'
// worth (~100 bytes each for a test.ping).
const maxBacklog = 100000

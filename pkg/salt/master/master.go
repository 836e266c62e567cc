package master

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/auth"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileserver"
	"github.com/saltraet/saltraet/pkg/salt/internal/counters"
	"github.com/saltraet/saltraet/pkg/salt/internal/gone"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/metrics"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/wheel"
)

// Defaults of the Options.
const (
	// DefaultPresenceInterval is how often salt/presence/present is fired,
	// as the reference's manager framer.
	DefaultPresenceInterval = 10 * time.Second
	// DefaultPublishTimeout bounds the delivery of one publish to one
	// minion estate; past it the publish is reported undelivered.
	DefaultPublishTimeout = 60 * time.Second
	// DefaultMaxLoadSize bounds a publish load from a client, packed. A
	// larger one is refused (SaltInvocationError): it would be stored in the
	// job cache and sent, in about a thousand segments per MB, to every
	// targeted minion.
	DefaultMaxLoadSize = 4 << 20
	// inbox is how many requests wait for the workers before the router
	// waits too.
	inbox = 1024
)

// Option changes how New builds a Master; the defaults are the daemon's.
type Option func(*options)

type options struct {
	conn             road.Conn
	timers           road.Timers
	presenceInterval time.Duration
	publishTimeout   time.Duration
	maxLoadSize      int
	jids             *job.JIDGen
	maintenance      time.Duration
	resendWindow     time.Duration
	clock            clock.Clock
	pillar           PillarFunc // nil: every pillar is empty
	runner           RunnerFunc // the reactor's runners; nil: pkg/salt/runner's
}

// WithRoadConn gives the road stack a connection already open (a test's
// UDP socket on a free port), instead of binding interface:raet_port. The
// Master owns it from then on.
func WithRoadConn(c road.Conn) Option { return func(o *options) { o.conn = c } }

// WithRoadTimers sets the road stack's timers; zero fields keep the
// daemon's (road defaults, with Period 3 s as Salt's keep-alive and a
// JoinentTimeout of road.Never, so a pended join waits for salt-key).
func WithRoadTimers(t road.Timers) Option { return func(o *options) { o.timers = t } }

// WithPresenceInterval sets how often presence events are fired.
func WithPresenceInterval(d time.Duration) Option {
	return func(o *options) { o.presenceInterval = d }
}

// WithPublishTimeout bounds the delivery of a publish to one estate.
func WithPublishTimeout(d time.Duration) Option { return func(o *options) { o.publishTimeout = d } }

// WithMaxLoadSize bounds the packed size of a publish load.
func WithMaxLoadSize(n int) Option { return func(o *options) { o.maxLoadSize = n } }

// WithMaintenanceInterval sets how often old jobs are cleaned from the job
// cache; the default is loop_interval (60 s).
func WithMaintenanceInterval(d time.Duration) Option {
	return func(o *options) { o.maintenance = d }
}

// WithJIDGen sets the jid generator (a fixed clock in tests).
func WithJIDGen(g *job.JIDGen) Option { return func(o *options) { o.jids = g } }

// WithClock sets the clock of every timeout and period of the master, its
// road stack's included; the default is the real clock. Jids and the job
// cache keep the wall clock: they are dates, compared with other hosts'.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// Master is a running (or ready to run) Salt master on RAET.
type Master struct {
	cfg    *config.Master
	log    logrus.FieldLogger
	opts   options
	estate string

	store  *pki.Store
	keyc   *keyCache // m.store's answers on the job path (keycache.go)
	cache  *job.Cache
	jobs   *jobStore // the job cache as the master writes it (jobstore.go)
	keys   *accessKeys
	road   *road.Stack
	lane   *lane.Stack
	router *route.Router
	ev     *eventer
	stats  counters.Counters
	gone   gone.Yards // local yards found gone, warned about once
	judge  *keyJudge  // the road's acceptor
	files  *fileserver.Server

	auth *auth.LoadAuth // eauth, tokens, ACLs (publishauth.go)
	// authAside holds a slot per eauth or token check running beside the
	// workers (maxAuthAside).
	authAside chan struct{}

	// pendingFull paces the warnings of keys refused by max_pending_keys.
	pendingFull refusalLog

	work     chan func()
	stopping chan struct{} // closed when Run starts to stop
	// roadStirred is signalled on each road event, for joinProgress.
	roadStirred chan struct{}
	started     atomic.Bool
	watchers    sync.WaitGroup // goroutines waiting on deliveries

	remotesMu sync.Mutex
	remotes   map[uint32]road.RemoteState // by uid; nil: to be read again
	keep      *keep.Keep                  // the road keep, written behind (keepbehind.go)
	reaped    map[string]bool             // estate names reaped by the road stack

	allows *allowWatch // allows by minion id, for the publishes sent again

	jobUsers jobUsers // who published each recent job (events3006.go)
	funArgs  keptArgs // the fun_args of recent large publishes (funargs.go)
	reactor  *reactor // nil without a reactor option (reactor.go)

	wheelOnce sync.Once
	wheels    *wheel.Wheel // the reactor's wheel functions (reactor_wheel.go)

	metrics *metrics.Server // nil without metrics_port (metrics.go)
	watch   *jobWatch       // jobs followed for the metrics; nil without them
}

// New prepares a master from its configuration: it opens the key store
// (creating local.key on first start), the job cache, writes the access
// keys, opens the road keep and binds the road socket and the manor yard.
// Nothing is served until Run. A Master that is never run must be Closed.
func New(cfg *config.Master, logger logrus.FieldLogger, opts ...Option) (m *Master, err error) {
	if logger == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		logger = l
	}
	o := newOptions(cfg, opts)
	m = &Master{cfg: cfg, log: logger, opts: o, estate: cfg.EstateName(),
		work: make(chan func(), inbox), stopping: make(chan struct{}),
		roadStirred: make(chan struct{}, 1),
		reaped:      map[string]bool{}, allows: newAllowWatch()}
	self := m // m is nil by the time a failing New's defer runs
	defer func() {
		if err != nil && o.conn != nil && self.road == nil {
			o.conn.Close()
		}
		if err != nil && self.keyc != nil {
			self.keyc.close() // its inotify descriptor
		}
	}()
	local, err := m.openStores()
	if err != nil {
		return nil, err
	}
	if m.reactor, err = newReactor(m); err != nil {
		return nil, err
	}
	if err := m.openRoad(local); err != nil {
		return nil, err
	}
	if err := m.openLane(); err != nil {
		m.closeRoad()
		return nil, err
	}
	m.handle()
	if err := m.openMetrics(); err != nil {
		m.Close()
		return nil, err
	}
	if m.reactor != nil {
		m.ev.react = m.reactor.react
	}
	return m, nil
}

// newOptions applies opts over the daemon's defaults, some of which come
// from the configuration.
func newOptions(cfg *config.Master, opts []Option) options {
	o := options{presenceInterval: DefaultPresenceInterval, publishTimeout: DefaultPublishTimeout,
		maxLoadSize: DefaultMaxLoadSize}
	for _, f := range opts {
		f(&o)
	}
	if o.jids == nil {
		o.jids = &job.JIDGen{}
	}
	if o.clock == nil {
		o.clock = clock.Real()
	}
	if o.maintenance <= 0 {
		o.maintenance = time.Duration(cfg.LoopInterval * float64(time.Second))
		if o.maintenance <= 0 {
			o.maintenance = time.Minute
		}
	}
	if o.timers.JoinentTimeout == 0 {
		o.timers.JoinentTimeout = road.Never
	}
	if o.timers.Period == 0 {
		o.timers.Period = 3 * time.Second // raet keep-alive period in Salt's road stack setup
	}
	return o
}

// openKeep opens the road keep, <cachedir>/raet/<estate>, and makes its
// local estate agree with the configuration and local.key: the stack
// restores its identity from the keep, so a keep left by another id or
// other keys would otherwise win over them.
func (m *Master) openKeep(local *pki.Local) (*keep.Keep, error) {
	dir := filepath.Join(m.cfg.Cachedir, "raet", m.estate)
	kp, err := keep.Open(dir, keep.KindJSON, raet.AutoAlways) // the pki store decides
	if err != nil {
		return nil, fmt.Errorf("road keep: %w", err)
	}
	if m.cfg.RaetClearRemotes {
		if err := kp.ClearRemotes(); err != nil {
			return nil, fmt.Errorf("road keep %s: clearing remotes (raet_clear_remotes): %w", dir, err)
		}
	}
	l, err := kp.LoadLocal()
	if err != nil && !errors.Is(err, keep.ErrCleared) {
		return nil, fmt.Errorf("road keep %s: %w", dir, err)
	}
	if l == nil {
		return kp, m.writeBehind(kp)
	}
	sig, pri := local.Signer.SeedHex(), local.Privateer.Hex()
	if l.Name == m.estate && l.Role == m.cfg.ID && l.SigHex == sig && l.PriHex == pri {
		return kp, m.writeBehind(kp)
	}
	m.log.Warnf("Road keep %s held estate %q, role %q and other keys; using %q, role %q and the keys of %s",
		dir, l.Name, l.Role, m.estate, m.cfg.ID, m.store.LocalPath())
	l.Name, l.Role, l.SigHex, l.PriHex = m.estate, m.cfg.ID, sig, pri
	if err := kp.DumpLocal(l); err != nil {
		return nil, fmt.Errorf("road keep %s: %w", dir, err)
	}
	return kp, m.writeBehind(kp)
}

// closeRoad stops a road stack that was never run, closing its socket.
func (m *Master) closeRoad() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.road.Run(ctx)
}

// Close releases the sockets of a Master that was never run (the manor
// socket file is removed). It does nothing to one that was.
func (m *Master) Close() error {
	if m.started.Swap(true) {
		return nil
	}
	if m.metrics != nil {
		m.metrics.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.road.Run(ctx)
	m.closeJobStore()
	m.keyc.close()
	if err := m.keep.Flush(); err != nil {
		m.log.Errorf("Road keep: %v", err)
	}
	return m.lane.Run(ctx)
}

// EstateName is the master's road estate name.
func (m *Master) EstateName() string { return m.estate }

// RoadAddr is the address the road stack listens on.
func (m *Master) RoadAddr() netip.AddrPort { return m.road.LocalAddr() }

// ManorPath is the manor yard's socket file.
func (m *Master) ManorPath() string { return m.lane.Addr() }

// Store is the master's key store.
func (m *Master) Store() *pki.Store { return m.store }

// Cache is the master's job cache.
func (m *Master) Cache() *job.Cache { return m.cache }

// Stats returns the master's counters: what it did (publish, return,
// pillar, event_subscribed, ...) and every refusal by reason (bad_load,
// unknown_cmd, unaccepted_estate, auth_failed, oversize_load, unknown_jid,
// untargeted_return, duplicate_return, key_file_error, key_error, road_*,
// lane_*, ...).
// The router's own counters are included with the prefix "router_", and
// road_received, what came in over the road, also under the name it had
// when the master read the road itself.
func (m *Master) Stats() map[string]uint64 {
	out := m.stats.Snapshot()
	for k, v := range m.router.Stats() {
		out["router_"+k] = v
	}
	if n := out["router_road_received"]; n > 0 {
		out["road_received"] = n
	}
	return out
}

// Run serves until ctx ends, then shuts down: the manor socket file is
// removed and the road socket closed. It returns nil when ctx ended it, or
// the error of a stack that failed under it. It may be run once.
func (m *Master) Run(ctx context.Context) error {
	if m.started.Swap(true) {
		return errors.New("master: already run")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer m.keyc.close()
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	start := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel() // one part ending ends them all
			if err := f(ctx); err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	start("road stack", m.road.Run)
	start("lane stack", m.lane.Run)
	start("router", m.runRouter)
	start("road events", m.readEvents)
	start("presence", m.presence)
	start("maintenance", m.maintain)
	start("key decider", m.decideKeys)
	start("join progress", m.joinProgress)
	if m.reactor != nil {
		start("reactor", m.reactor.run)
	}
	if m.metrics != nil {
		start("metrics", m.metrics.Serve)
	}
	workers := max(m.cfg.WorkerThreads, 1)
	for range workers {
		start("worker", m.worker)
	}
	m.log.Infof("Salt master %s listening on %s (UDP), manor yard %s", m.estate,
		road.JoinHostPort(m.road.LocalAddr()), m.lane.Addr())
	<-ctx.Done()
	close(m.stopping)
	wg.Wait()
	m.watchers.Wait()
	m.closeJobStore()
	m.keyc.close()
	if err := m.keep.Flush(); err != nil {
		m.log.Errorf("Road keep: %v", err)
	}
	m.log.Infof("Salt master %s stopped", m.estate)
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// runRouter runs the router until ctx ends. The road stack stopping under
// it ends it quietly: the road stack's own goroutine reports why.
func (m *Master) runRouter(ctx context.Context) error {
	if err := m.router.Run(ctx); !errors.Is(err, road.ErrStopped) {
		return err
	}
	return nil
}

// maintain removes the jobs older than keep_jobs_seconds (or the legacy
// keep_jobs hours) from the job cache at every maintenance interval of the
// master's clock, as the reference's maintenance process does
// (local_cache.clean_old_jobs). A job's age is read against the wall time
// its jid was written in (wallNow).
func (m *Master) maintain(ctx context.Context) error {
	keep, legacy := m.cfg.KeepJobsDuration()
	if legacy {
		m.log.Warnf("The 'keep_jobs' option has been deprecated and replaced with 'keep_jobs_seconds'.")
	}
	if keep <= 0 { // 0 keeps every job
		<-ctx.Done() // returning would stop the master
		return nil
	}
	return m.every(ctx, m.opts.maintenance, func() {
		n, err := m.cache.Clean(keep, m.wallNow())
		if n > 0 {
			m.stats.Add("jobs_cleaned")
			m.log.Infof("Removed %d job(s) older than keep_jobs_seconds (%d s) from the job cache", n, int64(keep/time.Second))
		}
		if err != nil {
			m.stats.Add("cache_error")
			m.log.Warnf("Cleaning the job cache: %v", err)
		}
	})
}

// wallNow is the wall time jids are made in (the jid generator's clock,
// WithJIDGen), which the job cache's files are dated by.
func (m *Master) wallNow() time.Time {
	if m.opts.jids.Now != nil {
		return m.opts.jids.Now()
	}
	return time.Now()
}

// every runs f at each interval of the master's clock until ctx ends:
// the master's periodic work (presence, key reviews, job cache
// maintenance). It returns nil, as a stopping master's parts do.
func (m *Master) every(ctx context.Context, interval time.Duration, f func()) error {
	t := clock.NewTicker(m.opts.clock, interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case at := <-t.C():
			t.Next(at)
			f()
		}
	}
}

// everyUntil runs f at each interval of the master's clock until f says
// it is done or ctx ends.
func (m *Master) everyUntil(ctx context.Context, interval time.Duration, f func() (done bool)) {
	t := clock.NewTicker(m.opts.clock, interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case at := <-t.C():
			t.Next(at)
			if f() {
				return
			}
		}
	}
}

// now is the master's clock's time, which its timeouts are measured on.
func (m *Master) now() time.Time { return m.opts.clock.Now() }

// worker runs the requests the router hands over, so
// that the job cache's disk writes never hold up routing.
func (m *Master) worker(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case f := <-m.work:
			f()
		}
	}
}

// enqueue hands a request to the workers; it waits while they are behind,
// and drops the request once the master is stopping.
func (m *Master) enqueue(f func()) {
	select {
	case m.work <- f:
	case <-m.stopping:
	}
}

// refuse counts a refusal and logs it at warning.
func (m *Master) refuse(stat, format string, args ...any) {
	m.stats.Add(stat)
	m.log.Warnf(format, args...)
}

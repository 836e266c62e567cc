package minion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/internal/counters"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/gone"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/metrics"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// Defaults of the Options.
const (
	// DefaultPeriod is the keep-alive period of the road (Salt's RAET
	// road stacks used 3 s).
	DefaultPeriod = 3 * time.Second
	// DefaultShutdownGrace is how long running jobs may go on once the
	// minion is told to stop.
	DefaultShutdownGrace = 5 * time.Second
	// DefaultRetryInterval is how often spooled returns are offered again
	// to the masters that are allowed.
	DefaultRetryInterval = 10 * time.Second
	// DefaultReturnTimeout bounds one attempt to deliver a return.
	DefaultReturnTimeout = 60 * time.Second
	// resolveRetry is how soon a master whose name did not resolve is
	// tried again.
	resolveRetry = 5 * time.Second
	// laneQueueMax bounds the requests of local tools waiting for a master.
	laneQueueMax = 256
)

// Option changes how New makes a Minion; the zero set is what the daemon
// uses.
type Option func(*options)

type options struct {
	roadConn      road.Conn
	timers        road.Timers
	grains        map[string]any
	shutdownGrace time.Duration
	retryInterval time.Duration
	returnTimeout time.Duration
	clock         clock.Clock
	pillarReq     Requester
	fallback      modules.Fallback // tests: instead of the Python worker
	// requestTimeout bounds a request to the master (request.go).
	requestTimeout time.Duration
	// noLane: no manor yard (emulated minions, emulator.go).
	noLane bool
	// roadWorkers and roadQueue size what runs beside the road's loop
	// (road.Config Workers and QueueLen); 0 takes the road's defaults.
	roadWorkers, roadQueue int
	// procFileDelay: see deferProc (0: procFileDelay).
	procFileDelay time.Duration
	// maxPacket is the road's MaxPacketSize; 0 takes the road's default.
	maxPacket int
	// commit, when set, is a group commit shared with other minions of
	// the process (WithCommitter), not closed by this one.
	commit *fsutil.Committer
	// busy: see WithBusy.
	busy func(bool)
}

// newOptions applies opts to the daemon's defaults.
func newOptions(opts []Option) options {
	o := options{shutdownGrace: DefaultShutdownGrace, retryInterval: DefaultRetryInterval,
		returnTimeout: DefaultReturnTimeout, requestTimeout: DefaultRequestTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.timers.Period == 0 {
		o.timers.Period = DefaultPeriod
	}
	if o.clock == nil {
		o.clock = clock.Real()
	}
	return o
}

// WithRoadConn gives the road stack its connection instead of a UDP socket
// on interface:raet_port (tests bind port 0, which the config refuses).
func WithRoadConn(c road.Conn) Option { return func(o *options) { o.roadConn = c } }

// WithTimers sets the road's timers; zero fields take the road's defaults,
// and a zero Period DefaultPeriod.
func WithTimers(t road.Timers) Option { return func(o *options) { o.timers = t } }

// WithGrains replaces the grains the minion computes.
func WithGrains(g map[string]any) Option { return func(o *options) { o.grains = g } }

// WithShutdownGrace sets how long running jobs may finish at shutdown.
func WithShutdownGrace(d time.Duration) Option { return func(o *options) { o.shutdownGrace = d } }

// WithRetryInterval sets how often spooled returns are offered again.
func WithRetryInterval(d time.Duration) Option { return func(o *options) { o.retryInterval = d } }

// WithReturnTimeout bounds one attempt to deliver a return.
func WithReturnTimeout(d time.Duration) Option { return func(o *options) { o.returnTimeout = d } }

// WithClock sets the clock of the minion's timeouts and waits (acceptance,
// retries, shutdown grace) and of its road stack; the default is the real
// clock. Jids stay dates: they come from the masters.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithBusy has f told, in order, when the minion's first job begins (true)
// and when its last running job ends (false). f runs on the job's
// goroutine with the job table locked: it must not call back into the
// minion.
func WithBusy(f func(busy bool)) Option { return func(o *options) { o.busy = f } }

// Minion is a running salt-minion-raet: road, lane, router, jobs.
type Minion struct {
	cfg    *config.Minion
	log    logrus.FieldLogger
	o      options
	id     string
	estate string
	grains grainsBox // read with Grains(); replaced whole by refreshGrains
	custom customGrains
	pillar *pillarStore

	store   *pki.Store
	road    *road.Stack
	lane    *lane.Stack
	router  *route.Router
	modules *modules.Executor
	// hooks are what the jobs reach beyond themselves (jobenv.go); the job
	// processes' calls are answered with them (jobproc.go).
	hooks   jobHooks
	masters *masterSet
	jobs    *jobTable
	jidQ    *jidQueue
	spool   *spool
	commit  *fsutil.Committer // group commit of the jid queue and spool (open.go)
	stats   counters.Counters
	gone    gone.Yards // local yards found gone, warned about once
	// files is the file client of the cp module and of templates' imports.
	files *fileclient.Client
	// requests wait for their replies from the master (request.go).
	requests pending
	// work is done once the minion first has a master: start events, the
	// mine schedule (minionevent.go, mine.go).
	work masterWork

	jobCtx    context.Context
	jobCancel context.CancelFunc

	laneMu    sync.Mutex
	laneQueue []body.Map // requests of local tools waiting for a master

	started atomic.Bool
	closed  atomic.Bool
	// allowedSeen follows the road's events of the masters: set when one
	// allows or alives us, cleared when one is lost or removed
	// (MasterAllowedSeen).
	allowedSeen atomic.Bool

	metrics *metrics.Server // nil without metrics_port (metrics.go)
}

// New makes a minion from its configuration: it opens the key store
// (creating local.key on the first start), the road keep under
// <cachedir>/raet/<estate>, the road socket, the manor yard in sock_dir,
// <cachedir>/proc and the return spool. Nothing is sent before Run. A
// Minion that is never Run must be Closed.
func New(cfg *config.Minion, logger logrus.FieldLogger, opts ...Option) (m *Minion, err error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	if logger == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		logger = l
	}
	o := newOptions(opts)
	// The cachedir first, with the mode Salt's verify_env gives it, so it
	// does not take the narrower mode of whatever is made inside it first.
	if err := mkdir.All(cfg.Cachedir, config.CachedirMode); err != nil {
		return nil, fmt.Errorf("cachedir %s: %w", cfg.Cachedir, err)
	}
	m = &Minion{cfg: cfg, log: logger, o: o, id: cfg.ID, estate: cfg.EstateName(),
		masters: newMasterSet(cfg.Master.Addrs, cfg.RandomMaster)}
	local, err := m.openKeys()
	if err != nil {
		return nil, err
	}
	m.grains.store(m.computeGrains(context.Background()))
	k, err := m.openKeep(local)
	if err != nil {
		return nil, err
	}
	if err := m.openJobFiles(); err != nil {
		return nil, err
	}
	if err := m.openRoad(local, k); err != nil {
		return nil, err
	}
	if err := m.openLane(); err != nil {
		m.stopRoad()
		return nil, err
	}
	m.jobCtx, m.jobCancel = context.WithCancel(context.Background())
	var pillarReq Requester = m // its own request channel (request.go)
	if o.pillarReq != nil {
		pillarReq = o.pillarReq
	}
	fallback := o.fallback
	if fallback == nil {
		fallback = m.openFallback()
	}
	m.custom.run, _ = fallback.(grainsRunner)
	m.custom.ready = true
	if len(grainsModules(filepath.Join(cfg.ExtensionModules(), "grains"))) > 0 {
		m.grains.store(m.computeGrains(context.Background())) // now with the custom grains
	}
	m.openJobEnv(jobHooks{req: m, pillarReq: pillarReq, jobs: m.jobs, refreshGrains: m.refreshGrains,
		fallback: fallback})
	m.router = route.New(route.Config{Road: m.road, Lane: m.lane, Estate: m.estate, Yard: protocol.YardManor,
		RoadTimeout: o.returnTimeout, Policy: m.policy(), OnUndeliverable: m.undeliverable})
	for share, h := range m.handlers() {
		m.router.Handle(share, h)
	}
	if err := m.openMetrics(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Grains returns the minion's grains.
func (m *Minion) Grains() map[string]any { return m.grains.load() }

// ID is the minion id; Estate its road estate name.
func (m *Minion) ID() string     { return m.id }
func (m *Minion) Estate() string { return m.estate }

// RoadAddr is the address the road listens on.
func (m *Minion) RoadAddr() string { return road.JoinHostPort(m.road.LocalAddr()) }

// LaneAddr is the manor yard's socket path; "" without a lane.
func (m *Minion) LaneAddr() string {
	if m.lane == nil {
		return ""
	}
	return m.lane.Addr()
}

// Running returns the proc records of the running jobs.
func (m *Minion) Running() []map[string]any { return m.jobs.Running() }

// Stats returns the minion's counters: refusals by reason
// (publish_jid_seen, publish_jid_too_old, publish_not_from_master,
// road_remote_cmd, publish_no_load, publish_bad_jid, publish_bad_target,
// master_refused, lane_yard_gone, lane_yard_gone_dropped, undeliverable,
// reply_unknown_track).
func (m *Minion) Stats() map[string]uint64 { return m.stats.Snapshot() }

// Spooled lists the jids of the returns not yet delivered.
func (m *Minion) Spooled() []string { return m.spool.pending() }

// Close releases what New opened, for a Minion that is never Run.
func (m *Minion) Close() error {
	if m.started.Load() || m.closed.Swap(true) {
		return nil
	}
	m.jobCancel()
	if m.metrics != nil {
		m.metrics.Close()
	}
	m.stopRoad()
	if m.lane != nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		m.lane.Run(ctx) // closes the socket and removes its file
	}
	m.closeCommit()
	return nil
}

// stopRoad closes the road socket of a stack that never ran.
func (m *Minion) stopRoad() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.road.Run(ctx)
}

// sendToMaster transmits a message to the master of that estate name, if
// the road has a session with it now.
func (m *Minion) sendToMaster(master string, msg body.Map) (*road.Delivery, error) {
	d, err := m.road.TransmitNamed(msg, master, m.o.returnTimeout)
	switch {
	case errors.Is(err, road.ErrUnknownRemote):
		return nil, fmt.Errorf("%w: %s is not joined", errNotNow, master)
	case errors.Is(err, road.ErrNotAllowed):
		return nil, fmt.Errorf("%w: %s", errNotNow, master)
	case err != nil:
		return nil, err
	}
	return d, nil
}

// onPublish takes a job a master published (share fun): the policy lets
// through only those of this minion's masters (fromMaster). It runs on the
// router's goroutine, so the job itself runs in a goroutine of its own.
func (m *Minion) onPublish(msg route.Message) {
	load, ok := protocol.PubOf(msg.Body)
	if !ok {
		m.stats.Add("publish_no_load")
		m.log.Warnf("Refusing a publish from master %s without a pub load", msg.FromEstate)
		return
	}
	pub := protocol.ParsePub(load)
	if !job.IsJID(pub.Jid) || job.ValidID(pub.Jid) != nil {
		m.stats.Add("publish_bad_jid")
		m.log.Warnf("Refusing a publish from master %s: invalid jid %q", msg.FromEstate, pub.Jid)
		return
	}
	delim, _ := load.String("delimiter")
	matched, err := target.Matcher{ID: m.id, Grains: m.Grains(), Pillar: m.pillar.get(), HasPillar: true,
		Delimiter: delim, Nodegroups: m.cfg.FileOptions().Nodegroups}.Match(pub.TgtType, pub.Tgt)
	if err != nil {
		m.stats.Add("publish_bad_target")
		m.log.Warnf("Job %s from master %s not run: target %v (%s): %v", pub.Jid, msg.FromEstate, pub.Tgt, pub.TgtType, err)
		return
	}
	if !matched {
		m.log.Debugf("Job %s is not for this minion (target %v, %s)", pub.Jid, pub.Tgt, pub.TgtType)
		return
	}
	if err := m.jidQ.admit(pub.Jid); refused(err) {
		stat := "publish_jid_seen"
		if errors.Is(err, ErrJIDTooOld) {
			stat = "publish_jid_too_old"
		}
		m.stats.Add(stat)
		m.log.Warnf("Refusing job %s (%s) from master %s: %v", pub.Jid, pub.Fun, msg.FromEstate, err)
		return
	} else if err != nil {
		m.log.Warnf("Job %s from master %s: %v", pub.Jid, msg.FromEstate, err)
	}
	rec := modules.ProcRecord(os.Getpid(), pub)
	if !m.jobs.begin(pub.Jid, rec) {
		m.log.Infof("Job %s was published again; it runs or ran already", pub.Jid)
		return
	}
	go m.runJob(msg.FromEstate, pub, load, rec)
}

// runJob runs one job and sends its return to the master that published
// it: in a process of its own (jobproc.go) when the minion runs jobs so,
// else here. The return goes from here, which holds the spool and road.
func (m *Minion) runJob(master string, pub protocol.Pub, load body.Map, rec map[string]any) {
	defer m.jobs.end(pub.Jid)
	fun, _ := load.Get("fun")
	m.log.Infof("Running %s for master %s (jid %s)", pub.Fun, master, pub.Jid)
	var ret body.Map
	var res modules.Result
	procFile := true // written now (by runJobProcess), removed at the end
	switch _, ok := fun.(string); {
	case !ok:
		proc := m.deferProc(pub.Jid, rec)
		ret = m.runCompound(pub, load) // compound.go
		procFile = proc.end()
	case m.jobProcesses():
		res = m.runJobProcess(pub, load, rec)
	default:
		proc := m.deferProc(pub.Jid, rec)
		res = m.modules.Run(m.jobCtx, pub.Fun, pub.Arg, pub)
		procFile = proc.end()
	}
	if ret == nil {
		rc := int64(res.Retcode)
		ret = job.ReturnLoad(job.Return{Success: res.Success, Return: res.Return, Retcode: &rc, JID: pub.Jid,
			Fun: fun, FunArgs: modules.StripKwargMarkers(pub.Arg), ID: m.id, Out: res.Out})
		if pub.FunArgsKept { // the master puts them back (protocol.PubFunArgsKept)
			ret.Delete("fun_args")
		}
	}
	m.spool.submit(pub.Jid, master, protocol.ReturnMessage(m.estate, master, ret))
	m.runReturners(pub, res, fun)
	if procFile {
		if err := m.jobs.removeProc(pub.Jid); err != nil {
			m.log.Warnf("Cannot remove the proc file of job %s: %v", pub.Jid, err)
		}
	}
	m.log.Debugf("Job %s done: success %v, retcode %d", pub.Jid, res.Success, res.Retcode)
}

// writeProc writes the proc file of a job, or says why it cannot.
func (m *Minion) writeProc(jid string, rec map[string]any) {
	if err := m.jobs.writeProc(jid, rec); err != nil {
		m.log.Warnf("Cannot write the proc file of job %s: %v", jid, err)
	}
}

// onRemoteCmd sends a local tool's request to the current master; the
// policy keeps the road's off it.
func (m *Minion) onRemoteCmd(msg route.Message) {
	m.gone.Back(msg.FromYard)
	if !m.forwardToMaster(msg) {
		m.laneMu.Lock()
		defer m.laneMu.Unlock()
		if len(m.laneQueue) >= laneQueueMax {
			m.log.Warnf("Dropping a request from yard %s: %d requests already wait for a master", msg.FromYard, laneQueueMax)
			return
		}
		m.laneQueue = append(m.laneQueue, msg.Route.Put(msg.Body))
	}
}

// forwardToMaster sends a request over the road to the master pick
// chooses; false when no master is allowed.
func (m *Minion) forwardToMaster(msg route.Message) bool {
	name, _, ok := m.masters.pick(m.road.Remotes())
	if !ok {
		return false
	}
	rt := msg.Route
	rt.Dst.Estate = name
	if rt.Dst.Yard == protocol.YardManor { // our manor, not the master's yard
		rt.Dst.Yard = ""
	}
	if err := m.router.Send(rt.Put(msg.Body)); err != nil {
		m.log.Warnf("Request from yard %s not sent to master %s: %v", msg.FromYard, name, err)
	}
	return true
}

// flushLane sends the requests that waited for a master.
func (m *Minion) flushLane() {
	m.laneMu.Lock()
	queue := m.laneQueue
	m.laneQueue = nil
	m.laneMu.Unlock()
	for i, b := range queue {
		rt, _ := route.ParseRoute(b)
		if !m.forwardToMaster(route.Message{Body: b, Route: rt, Via: route.ViaLane, FromYard: rt.Src.Yard}) {
			m.laneMu.Lock()
			m.laneQueue = append(queue[i:], m.laneQueue...)
			m.laneMu.Unlock()
			return
		}
	}
}

// onOther gives a master's reply to the request waiting on its track,
// and drops what the minion has no use for, the master's pillar reply
// among it.
func (m *Minion) onOther(msg route.Message) {
	if m.onReply(msg) {
		return
	}
	m.log.Debugf("Dropping a message for share %q from %s %s%s", msg.Route.Dst.Share, msg.Via, msg.FromEstate, msg.FromYard)
}

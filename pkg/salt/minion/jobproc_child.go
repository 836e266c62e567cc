package minion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// backgroundWait bounds how long a job process goes on after its result
// for the work its function left running (modules.Executor.WaitBackground).
const backgroundWait = 60 * time.Second

// runJobProcess is a job process (JobProcessMain): it reads the start
// frame from its channel, builds the minion's job environment on calls to
// the minion (openJobEnv with a jobClient's hooks), runs the job, and sends
// the result. Its exit status matters only when it has sent none.
func runJobProcess() int {
	began := time.Now()
	// SIGTERM is caught first of all: one sent as the process starts
	// (term_job, the minion's shutdown) cancels the job once it is read.
	ctx, cancel := cancelOnTerm()
	os.Unsetenv(jobProcessEnv) // the job's own commands are no job processes
	f := os.NewFile(jobChannelFD, "job-channel")
	c, err := net.FileConn(f) // a duplicate that closes on exec
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "job process: no channel to the minion: %v\n", err)
		return 2
	}
	conn := newJobConn(c)
	start, err := readFrame(c)
	if err != nil {
		fmt.Fprintf(os.Stderr, "job process: no start from the minion: %v\n", err)
		return 2
	}
	go readReplies(conn)
	m, err := newJobMinion(ctx, cancel, conn, start)
	if err != nil {
		cancel()
		fmt.Fprintf(os.Stderr, "job process: %v\n", err)
		return 2
	}
	load, _ := start.Map("pub")
	pub := protocol.ParsePub(load)
	m.log.Debugf("Job %s: its process ready in %v", pub.Jid, time.Since(began))
	res := m.modules.Run(m.jobCtx, pub.Fun, pub.Arg, pub)
	if err := conn.send(resultFrame(res)); err != nil {
		fmt.Fprintf(os.Stderr, "job process: the result of job %s: %v\n", pub.Jid, err)
		return 2
	}
	if !m.modules.WaitBackground(backgroundWait) {
		m.log.Warnf("Job %s: ending with work of its function still running after %v", pub.Jid, backgroundWait)
	}
	return 0
}

// readReplies gives the minion's replies to the calls waiting for them,
// until the channel closes.
func readReplies(conn *jobConn) {
	for {
		frame, err := readFrame(conn.c)
		if err != nil {
			conn.shut()
			return
		}
		if op, _ := frame.String("op"); op == opReply {
			conn.deliver(frame)
		}
	}
}

// newJobMinion is the job environment of the minion that sent start: its
// config read again from its config directory, its grains and pillar as
// they were, and hooks that call the minion.
func newJobMinion(ctx context.Context, cancel context.CancelFunc, conn *jobConn, start body.Map) (*Minion, error) {
	dir, _ := start.String("config_dir")
	cfg, err := config.LoadMinion(dir)
	if err != nil {
		return nil, err
	}
	cfg.ID, _ = start.String("id")
	log := logrus.New()
	log.SetOutput(io.Discard)
	lvl, _ := start.String("log_level")
	if level, err := logrus.ParseLevel(lvl); err == nil {
		log.SetLevel(level)
	}
	log.AddHook(logForwarder{conn})
	m := &Minion{cfg: cfg, log: log, o: newOptions(nil), id: cfg.ID, estate: cfg.EstateName()}
	m.grains.store(plainMap(start, "grains"))
	m.jobCtx, m.jobCancel = ctx, cancel
	jc := &jobClient{conn: conn, m: m}
	h := jobHooks{req: jc, pillarReq: jobRequester{jc, callPillarRequest}, jobs: jc,
		refreshPillar: jc.refreshPillar, refreshGrains: jc.refreshGrains, stateRuns: jobStates{jc}}
	if fb, _ := start.Bool("fallback"); fb {
		h.fallback = jc
	}
	m.openJobEnv(h)
	m.pillar.set(plainMap(start, "pillar"))
	return m, nil
}

// cancelOnTerm is the job's context: SIGTERM (saltutil.term_job, the
// minion's shutdown) cancels it, so the job stops as a cancelled job of the
// minion does, with a return that says so, and its commands with it. A
// second SIGTERM ends the process.
func cancelOnTerm() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(fmt.Errorf("terminated by signal %d", sig.(syscall.Signal)))
		<-sigs
		os.Exit(128 + int(syscall.SIGTERM))
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// plainMap is a mapping of a frame as the minion keeps it.
func plainMap(frame body.Map, key string) map[string]any {
	v, _ := frame.Map(key)
	if v == nil {
		return map[string]any{}
	}
	return protocol.PlainMap(v)
}

// jobClient is a job process's hooks: calls to its minion.
type jobClient struct {
	conn *jobConn
	m    *Minion
}

// Request is the minion's request channel to the master.
func (j *jobClient) Request(ctx context.Context, load body.Map) (any, error) {
	return j.conn.call(ctx, callRequest, body.Map{{Key: "load", Value: load}})
}

// jobRequester is a request channel of the minion by method.
type jobRequester struct {
	j      *jobClient
	method string
}

func (r jobRequester) Request(ctx context.Context, load body.Map) (any, error) {
	return r.j.conn.call(ctx, r.method, body.Map{{Key: "load", Value: load}})
}

// Running is the minion's table of running jobs (modules.Jobs).
func (j *jobClient) Running() []map[string]any {
	ret, err := j.conn.call(j.m.jobCtx, callRunning, nil)
	if err != nil {
		j.m.log.Warnf("The running jobs: %v", err)
		return nil
	}
	list, _ := ret.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		if rec, ok := r.(body.Map); ok {
			out = append(out, protocol.PlainMap(rec))
		}
	}
	return out
}

// refreshPillar refreshes the minion's pillar, and takes it as this job's.
func (j *jobClient) refreshPillar(ctx context.Context) error {
	ret, err := j.conn.call(ctx, callRefreshPillar, nil)
	if p, ok := ret.(body.Map); ok && err == nil {
		j.m.pillar.set(protocol.PlainMap(p))
	}
	return err
}

// refreshGrains refreshes the minion's grains, and takes them as this
// job's.
func (j *jobClient) refreshGrains(ctx context.Context) error {
	ret, err := j.conn.call(ctx, callRefreshGrains, nil)
	if g, ok := ret.(body.Map); ok && err == nil {
		j.m.grains.store(protocol.PlainMap(g))
	}
	return err
}

// Functions lists the functions of the minion's Python fallback.
func (j *jobClient) Functions(ctx context.Context) []string {
	ret, err := j.conn.call(ctx, callFallbackFuncs, nil)
	if err != nil {
		j.m.log.Warnf("The Python fallback's functions: %v", err)
		return nil
	}
	return anyStrings(ret)
}

// Call runs a function of the minion's Python fallback.
func (j *jobClient) Call(ctx context.Context, fun string, args []any, pub modules.Pub) (modules.Result, bool) {
	if args == nil {
		args = []any{}
	}
	ret, err := j.conn.call(ctx, callFallbackCall, body.Map{{Key: "fun", Value: fun}, {Key: "args", Value: args},
		{Key: "pub", Value: pubToLoad(pub)}})
	if err != nil {
		return modules.Result{Return: fmt.Sprintf("ERROR: %v", err), Retcode: 1, Out: "nested", Raised: true}, true
	}
	frame, ok := ret.(body.Map)
	if !ok {
		return modules.Result{}, false
	}
	return resultOf(frame), true
}

// jobStates is the minion's queue of state runs (modules.StateRuns).
type jobStates struct{ j *jobClient }

// Enter registers a state run in the minion's queue.
func (s jobStates) Enter(ctx context.Context, run modules.StateRun, queue any, concurrent bool) ([]any, error) {
	ret, err := s.j.conn.call(ctx, callStateEnter, body.Map{{Key: "key", Value: run.Key}, {Key: "fun", Value: run.Fun},
		{Key: "jid", Value: run.Jid}, {Key: "pid", Value: run.Pid}, {Key: "queue", Value: queue},
		{Key: "concurrent", Value: concurrent}})
	if err != nil {
		return nil, err
	}
	m, _ := ret.(body.Map)
	if refused, _ := m.Bool("refused"); !refused {
		return nil, nil
	}
	runs, _ := m.Get("runs")
	list, _ := runs.([]any)
	if list == nil {
		list = []any{}
	}
	return list, nil
}

// Leave ends a state run in the minion's queue.
func (s jobStates) Leave(key string) {
	if _, err := s.j.conn.call(context.Background(), callStateLeave, body.Map{{Key: "key", Value: key}}); err != nil {
		s.j.m.log.Warnf("Leaving the state run %s: %v", key, err)
	}
}

// Running is the minion's state runs but own's, as sentences.
func (s jobStates) Running(own string) []any {
	ret, _ := s.j.conn.call(s.j.m.jobCtx, callStateRunning, body.Map{{Key: "key", Value: own}})
	list, _ := ret.([]any)
	if list == nil {
		list = []any{}
	}
	return list
}

// logForwarder sends a job process's log lines to its minion, which logs
// them with its own.
type logForwarder struct{ conn *jobConn }

func (logForwarder) Levels() []logrus.Level { return logrus.AllLevels }

func (l logForwarder) Fire(e *logrus.Entry) error {
	err := l.conn.send(body.Map{{Key: "op", Value: opLog}, {Key: "level", Value: e.Level.String()},
		{Key: "msg", Value: e.Message}})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

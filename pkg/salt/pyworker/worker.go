package pyworker

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// Defaults of the Config.
const (
	// DefaultStartTimeout bounds the worker's start: importing Salt and
	// building its loader takes seconds on a busy host.
	DefaultStartTimeout = 2 * time.Minute
	// DefaultRetryAfter is how long a worker that failed to start is left
	// alone before a call tries again.
	DefaultRetryAfter = 30 * time.Second
	// stopGrace is how long Close lets the worker end its calls.
	stopGrace = 5 * time.Second
)

// Config says how to run the worker and what Salt's loader is given.
type Config struct {
	// Python is the interpreter; "" means python3 on PATH.
	Python string
	// Command, when set, makes the worker's command instead of Python
	// (tests run a worker of their own). The script is on fd 3 either way.
	Command func() *exec.Cmd
	// ID is the minion id; ConfFile the minion's config file, which
	// salt.config.minion_config reads (a missing one gives Salt's defaults).
	ID, ConfFile string
	// LogLevel is the worker's Python logging level (warning by default).
	LogLevel string
	// Opts are set over the options the config file gives (cachedir,
	// extension_modules, ...).
	Opts body.Map
	// ExtensionModules is the directory synced modules are in
	// (saltutil.sync_*): when its files change, the worker builds its
	// loader again before the next call.
	ExtensionModules string
	// Grains and Pillar are the minion's, given to Salt's loader as
	// __grains__ and __pillar__; nil means none.
	Grains, Pillar func() map[string]any
	// Optional means the worker is tried once: if it cannot start the
	// first time (no Python Salt on this host), it is never tried again.
	Optional bool
	// RetryAfter is how long after a failed start calls are refused
	// before one tries again; 0 means DefaultRetryAfter.
	RetryAfter time.Duration
	// StartTimeout bounds a start; 0 means DefaultStartTimeout.
	StartTimeout time.Duration
	// Log gets the worker's stderr and what goes wrong; nil discards.
	Log logrus.FieldLogger
}

func (c *Config) command() *exec.Cmd {
	if c.Command != nil {
		return c.Command()
	}
	py := c.Python
	if py == "" {
		py = "python3"
	}
	return exec.Command(py, "-c", bootstrap)
}

func (c *Config) log() logrus.FieldLogger {
	if c.Log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		return l
	}
	return c.Log
}

func (c *Config) startTimeout() time.Duration {
	if c.StartTimeout > 0 {
		return c.StartTimeout
	}
	return DefaultStartTimeout
}

func (c *Config) retryAfter() time.Duration {
	if c.RetryAfter > 0 {
		return c.RetryAfter
	}
	return DefaultRetryAfter
}

// ErrClosed is what a Worker answers after Close.
var ErrClosed = errors.New("the Python worker is closed")

// Worker runs execution functions through Salt's own loader in one
// long-lived Python process, started at the first call and again at the
// call after it died. It is a modules.Fallback; its methods are safe for
// concurrent use, and calls overlap.
type Worker struct {
	cfg Config

	mu       sync.Mutex
	proc     *process
	starting chan struct{} // closed when the start under way ends
	startErr error
	failedAt time.Time
	started  bool // a start has succeeded once
	disabled bool // Optional, and the first start failed
	closed   bool
	// funcs is the worker's function list, for the process and extension
	// modules it was read with.
	funcs     []string
	funcsProc *process
	funcsExt  string
}

// New returns a Worker; nothing runs before the first call.
func New(cfg Config) *Worker { return &Worker{cfg: cfg} }

var _ modules.Fallback = (*Worker)(nil)

// get returns the running worker, starting it if there is none.
func (w *Worker) get(ctx context.Context) (*process, error) {
	attempted := false // one start per call at most
	for {
		w.mu.Lock()
		switch {
		case w.closed:
			w.mu.Unlock()
			return nil, ErrClosed
		case w.proc != nil && w.proc.alive():
			p := w.proc
			w.mu.Unlock()
			return p, nil
		case w.disabled || attempted:
			err := w.startErr
			w.mu.Unlock()
			if err == nil {
				err = errors.New("the Python worker stopped as it started")
			}
			return nil, err
		case w.starting != nil:
			ch := w.starting
			w.mu.Unlock()
			select {
			case <-ch:
				attempted = true
				continue
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		case w.startErr != nil && time.Since(w.failedAt) < w.cfg.retryAfter():
			err := w.startErr
			w.mu.Unlock()
			return nil, err
		}
		w.starting = make(chan struct{})
		w.mu.Unlock()
		w.startOnce()
		attempted = true
	}
}

// startOnce starts a worker for whoever waits on w.starting.
func (w *Worker) startOnce() {
	ext := w.fingerprint() // what the loader is built with
	p, err := start(context.Background(), &w.cfg, w.initFrame())
	if p != nil {
		p.extmods = ext
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.starting)
	w.starting = nil
	if err != nil {
		w.startErr, w.failedAt = err, time.Now()
		if w.cfg.Optional && !w.started {
			w.disabled = true
			w.cfg.log().Infof("Salt's own modules are not available: %v", err)
		} else {
			w.cfg.log().Warnf("Salt's own modules are not available now: %v", err)
		}
		return
	}
	w.started, w.startErr = true, nil
	if w.closed { // closed while starting
		go p.stop(stopGrace)
		return
	}
	w.proc = p
	v, _ := p.ready.String("version")
	w.cfg.log().Infof("Python worker %d ready: Salt %s", p.cmd.Process.Pid, v)
}

func (w *Worker) initFrame() body.Map {
	opts := append(body.Map{}, w.cfg.Opts...)
	if w.cfg.ExtensionModules != "" {
		opts = append(opts, body.Item{Key: "extension_modules", Value: w.cfg.ExtensionModules})
	}
	level := w.cfg.LogLevel
	if level == "" {
		level = "warning"
	}
	return body.Map{{Key: "op", Value: "init"}, {Key: "id", Value: w.cfg.ID}, {Key: "conf_file", Value: w.cfg.ConfFile},
		{Key: "log_level", Value: level}, {Key: "opts", Value: opts},
		{Key: "grains", Value: orEmpty(w.cfg.Grains)}, {Key: "pillar", Value: orEmpty(w.cfg.Pillar)}}
}

func orEmpty(f func() map[string]any) map[string]any {
	if f == nil {
		return map[string]any{}
	}
	if m := f(); m != nil {
		return m
	}
	return map[string]any{}
}

// Close stops the worker: its calls are ended and it exits.
func (w *Worker) Close() error {
	w.mu.Lock()
	w.closed = true
	p := w.proc
	w.proc = nil
	w.mu.Unlock()
	if p != nil {
		p.stop(stopGrace)
	}
	return nil
}

// Pid is the running worker's process id, 0 when none runs.
func (w *Worker) Pid() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil || !w.proc.alive() {
		return 0
	}
	return w.proc.cmd.Process.Pid
}

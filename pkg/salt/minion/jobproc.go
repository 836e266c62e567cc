package minion

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/proctree"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// jobProcessEnv marks a process a minion started to run one job.
const jobProcessEnv = "SALT_MINION_RAET_JOB_PROCESS"

// jobChannelFD is the job process's end of its channel to the minion
// (exec.Cmd.ExtraFiles[0]).
const jobChannelFD = 3

// stderrTail bounds what is kept of a job process's stderr, to say why one
// ended without a return.
const stderrTail = 4096

// jobProcessCapable says the program calls JobProcessMain first, so a
// minion can start it again to run a job.
var jobProcessCapable atomic.Bool

// JobProcessMain must be the first call of a program that runs a minion
// (salt-minion-raet's main; the minion package's TestMain). In a process a
// minion started to run a job, it runs that job and exits; otherwise it
// returns, and the minions of this program run each job in a process of
// its own, as Salt's multiprocessing: true (the default) does. A program
// that does not call it runs jobs in goroutines of the minion.
func JobProcessMain() {
	if os.Getenv(jobProcessEnv) == "" {
		jobProcessCapable.Store(true)
		return
	}
	os.Exit(runJobProcess())
}

// jobProcesses reports whether this minion runs each job in a process.
func (m *Minion) jobProcesses() bool { return m.cfg.Multiprocessing && jobProcessCapable.Load() }

// jobProcess is a running job process, seen from the minion.
type jobProcess struct {
	m      *Minion
	jid    string
	cmd    *exec.Cmd
	conn   *jobConn
	stderr tailWriter
	// ctx ends when the process's channel closes: calls still answered
	// for it (a state run waiting in the queue) stop.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	states map[string]bool // the state runs it entered and has not left
}

// runJobProcess runs a job in a process of its own: the program started
// again (JobProcessMain), in a process group of its own, with the job's
// environment and the publish sent over a socket pair; the minion answers
// its calls until it sends its result. The proc record and file get the
// process's pid. A process that cannot start leaves the job to run here.
func (m *Minion) runJobProcess(pub protocol.Pub, load body.Map, rec map[string]any) modules.Result {
	p, err := m.startJobProcess(pub, load)
	if err != nil {
		m.log.Errorf("Cannot start a process for job %s (%s): %v; running it in the minion", pub.Jid, pub.Fun, err)
		m.writeProc(pub.Jid, rec)
		return m.modules.Run(m.jobCtx, pub.Fun, pub.Arg, pub)
	}
	pid := p.cmd.Process.Pid
	m.writeProc(pub.Jid, m.jobs.setPID(pub.Jid, pid))
	m.log.Debugf("Job %s runs in process %d", pub.Jid, pid)
	done := make(chan struct{})
	defer close(done)
	stop := context.AfterFunc(m.jobCtx, func() { m.terminate(pub.Jid, pid, done) })
	defer stop()
	return p.wait(pub)
}

// terminate ends the process of a job the minion cancels (at shutdown,
// after the grace): SIGTERM, which cancels the job, and SIGKILL when it
// has not ended within half the grace, so that its return (cancelled, or
// killed) is still spooled within the other half.
func (m *Minion) terminate(jid string, pid int, done <-chan struct{}) {
	m.log.Warnf("Terminating the process %d of job %s", pid, jid)
	proctree.Signal(pid, syscall.SIGTERM) //nolint:errcheck // it may have ended
	timer := m.o.clock.NewTimer(m.o.shutdownGrace / 2)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C():
		m.log.Warnf("Killing the process %d of job %s, which did not end on SIGTERM", pid, jid)
		proctree.Signal(pid, syscall.SIGKILL) //nolint:errcheck // it may have ended
	}
}

// startJobProcess starts the process and sends it the start frame.
func (m *Minion) startJobProcess(pub protocol.Pub, load body.Map) (*jobProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "job-channel"), os.NewFile(uintptr(fds[1]), "job-channel")
	defer theirs.Close()
	c, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		return nil, err
	}
	p := &jobProcess{m: m, jid: pub.Jid, conn: newJobConn(c), states: map[string]bool{}}
	p.ctx, p.cancel = context.WithCancel(m.jobCtx)
	p.cmd = exec.Command(exe)
	p.cmd.Args = []string{exe, "job", pub.Jid} // ps shows which job it is
	p.cmd.Env = append(os.Environ(), jobProcessEnv+"=1")
	p.cmd.ExtraFiles = []*os.File{theirs}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = time.Second // a grandchild holding stderr does not hold the job
	if err := p.cmd.Start(); err != nil {
		c.Close()
		p.cancel()
		return nil, err
	}
	if err := p.conn.send(m.startFrame(load)); err != nil {
		m.log.Warnf("Job %s: the start of its process: %v", pub.Jid, err)
	}
	return p, nil
}

// startFrame is what a job process needs to run the job as the minion
// would: its id and config directory, its grains and pillar now, its log
// level, whether a Python fallback answers, and the publish.
func (m *Minion) startFrame(load body.Map) body.Map {
	return body.Map{{Key: "op", Value: opStart}, {Key: "id", Value: m.id},
		{Key: "config_dir", Value: m.cfg.ConfigDir}, {Key: "log_level", Value: logLevel(m.log)},
		{Key: "grains", Value: m.Grains()}, {Key: "pillar", Value: m.pillar.get()},
		{Key: "fallback", Value: m.hooks.fallback != nil}, {Key: "pub", Value: load}}
}

// wait answers the process's calls until it sends its result, or until
// its channel closes without one (then why it has none). The calls it
// makes after its result (the work its function left running, such as a
// pillar refresh) are answered until it ends, and it is reaped then.
func (p *jobProcess) wait(pub protocol.Pub) modules.Result {
	results := make(chan body.Map, 1)
	done := make(chan error, 1)
	go p.serve(results, done)
	select {
	case r := <-results:
		return resultOf(r)
	case err := <-done:
		select {
		case r := <-results:
			return resultOf(r)
		default:
			return p.ended(pub, err)
		}
	}
}

// serve reads the process's frames until its channel closes, then reaps
// it: done gets Wait's error.
func (p *jobProcess) serve(results chan<- body.Map, done chan<- error) {
	for {
		frame, err := readFrame(p.conn.c)
		if err != nil {
			break
		}
		switch op, _ := frame.String("op"); op {
		case opCall:
			go p.answer(frame)
		case opLog:
			p.m.logFromJob(p.jid, frame)
		case opResult:
			select {
			case results <- frame:
			default: // a second result is no result
			}
		}
	}
	p.conn.shut()
	p.cancel()
	err := p.cmd.Wait()
	p.conn.c.Close()
	p.leaveStates()
	done <- err
}

// ended is the return of a job whose process ended without a result:
// Salt's minion sends none for a job killed by a signal; this one says so,
// with retcode 1, so that the salt command does not wait for it.
func (p *jobProcess) ended(pub protocol.Pub, err error) modules.Result {
	pid := p.cmd.Process.Pid
	var msg string
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM:
		// A SIGTERM that came before the process could catch it (it had
		// only just started) cancelled the job all the same: the return
		// says so as the job's own would.
		msg = fmt.Sprintf("ERROR: %s was cancelled: terminated by signal %d", pub.Fun, int(syscall.SIGTERM))
	case ok && ws.Signaled():
		msg = fmt.Sprintf("ERROR: The process %d of job %s (%s) was killed by signal %d", pid, pub.Jid, pub.Fun, int(ws.Signal()))
	default:
		msg = fmt.Sprintf("ERROR: The process %d of job %s (%s) ended without a return: %v", pid, pub.Jid, pub.Fun, err)
		if tail := strings.TrimSpace(p.stderr.String()); tail != "" {
			msg += ": " + tail
		}
	}
	p.m.log.Warnf("%s", strings.TrimPrefix(msg, "ERROR: "))
	return modules.Result{Return: msg, Retcode: 1, Out: "nested", Raised: true}
}

// resultOf reads a result frame.
func resultOf(frame body.Map) modules.Result {
	var r modules.Result
	r.Return, _ = frame.Get("return")
	rc, _ := frame.Int("retcode")
	r.Retcode = int(rc)
	r.Success, _ = frame.Bool("success")
	r.Out, _ = frame.String("out")
	r.Raised, _ = frame.Bool("raised")
	return r
}

// resultFrame writes a result frame.
func resultFrame(r modules.Result) body.Map {
	return body.Map{{Key: "op", Value: opResult}, {Key: "return", Value: r.Return}, {Key: "retcode", Value: r.Retcode},
		{Key: "success", Value: r.Success}, {Key: "out", Value: r.Out}, {Key: "raised", Value: r.Raised}}
}

// leaveStates ends the state runs of a process that did not leave them
// (it was killed), so that the next state run is not refused for ever.
func (p *jobProcess) leaveStates() {
	p.mu.Lock()
	keys := p.states
	p.states = nil
	p.mu.Unlock()
	for key := range keys {
		p.m.modules.StateRuns().Leave(key)
	}
}

// tailWriter keeps the last stderrTail bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	buf []byte
}

func (w *tailWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if len(w.buf) > stderrTail {
		w.buf = w.buf[len(w.buf)-stderrTail:]
	}
	return len(b), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}

// errNoFallback is a fallback call to a minion without one.
var errNoFallback = errors.New("the minion has no Python fallback")

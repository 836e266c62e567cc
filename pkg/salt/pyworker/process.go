package pyworker

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// script is the worker's Python side. It reaches the interpreter on fd 3,
// so the process list shows a short command, not the script.
//
//go:embed worker.py
var script []byte

// bootstrap is the interpreter's -c program: run what fd 3 holds.
const bootstrap = "import os;f=os.fdopen(3,'rb');s=f.read();f.close();exec(compile(s,'saltraet-pyworker','exec'))"

// process is one running worker: its pipes, its pending calls.
type process struct {
	cmd  *exec.Cmd
	log  logrus.FieldLogger
	wmu  sync.Mutex // one frame at a time on stdin; guards sent
	in   io.WriteCloser
	sent map[string][]byte // grains and pillar as last given, packed

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan body.Map
	done    chan struct{} // closed when the worker's stdout ends
	err     error         // why it ended, once done is closed
	exited  chan struct{} // closed once the process is reaped
	// extmods is the fingerprint of the extension modules the loader was
	// built with.
	extmods string
	ready   body.Map // the ready frame: version, python
}

// start runs the worker and waits for its ready frame (or its error).
func start(ctx context.Context, cfg *Config, init body.Map) (*process, error) {
	cmd := cfg.command()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // not in a job's group, nor the terminal's
	// A command a call left running in the background keeps the worker's
	// stderr open; the worker is done when it has exited all the same.
	cmd.WaitDelay = time.Second
	scriptR, scriptW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer scriptR.Close()
	cmd.ExtraFiles = []*os.File{scriptR}
	in, err := cmd.StdinPipe()
	if err != nil {
		scriptW.Close()
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		scriptW.Close()
		return nil, err
	}
	tail := &stderrTail{log: cfg.log()}
	cmd.Stderr = tail
	if err := cmd.Start(); err != nil {
		scriptW.Close()
		return nil, fmt.Errorf("cannot start the Python worker %s: %w", cmd.Path, err)
	}
	go func() { scriptW.Write(script); scriptW.Close() }()
	p := &process{cmd: cmd, log: cfg.log(), in: in, sent: map[string][]byte{}, pending: map[uint64]chan body.Map{},
		done: make(chan struct{}), exited: make(chan struct{})}
	r := bufio.NewReader(out)
	hello, err := p.handshake(ctx, r, init, cfg.startTimeout())
	if err != nil {
		p.kill()
		<-p.exited
		if t := tail.String(); t != "" {
			err = fmt.Errorf("%w: %s", err, t)
		}
		return nil, err
	}
	p.ready = hello
	go p.read(r)
	return p, nil
}

// handshake sends init and reads ready; the process is reaped in the
// background from here on.
func (p *process) handshake(ctx context.Context, r *bufio.Reader, init body.Map, timeout time.Duration) (body.Map, error) {
	type answer struct {
		m   body.Map
		err error
	}
	got := make(chan answer, 1)
	go func() {
		if err := p.write(init); err != nil {
			got <- answer{nil, err}
			return
		}
		m, err := ReadFrame(r)
		got <- answer{m, err}
	}()
	go func() { p.cmd.Wait(); close(p.exited) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case a := <-got:
		if a.err != nil {
			select { // its exit status says more than a closed pipe
			case <-p.exited:
				return nil, fmt.Errorf("the Python worker stopped before it was ready (%v)", p.cmd.ProcessState)
			case <-time.After(5 * time.Second):
				return nil, fmt.Errorf("the Python worker did not say it was ready: %w", a.err)
			}
		}
		if op, _ := a.m.String("op"); op != "ready" {
			msg, _ := a.m.String("error")
			return nil, fmt.Errorf("the Python worker cannot load Salt: %s", msg)
		}
		return a.m, nil
	case <-timer.C:
		return nil, fmt.Errorf("the Python worker was not ready within %v", timeout)
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// write sends one frame of plain values.
func (p *process) write(m body.Map) error {
	b, err := frameOf(m)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.in.Write(b)
	return err
}

// read hands each answer to the call waiting for its id until the worker's
// stdout ends; then every call still waiting learns the worker stopped.
func (p *process) read(r *bufio.Reader) {
	var err error
	for {
		var m body.Map
		if m, err = ReadFrame(r); err != nil {
			break
		}
		id, ok := m.Int("id")
		if !ok {
			p.log.Warnf("Python worker: an answer without an id: %v", m.Keys())
			continue
		}
		p.mu.Lock()
		ch := p.pending[uint64(id)]
		delete(p.pending, uint64(id))
		p.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
	p.kill() // a stream we cannot read is a worker we cannot use
	<-p.exited
	if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
		err = fmt.Errorf("it ended (%v)", p.cmd.ProcessState)
	}
	p.mu.Lock()
	p.err = err
	p.pending = nil
	p.mu.Unlock()
	close(p.done)
}

// register reserves an id for a call; nil when the worker has stopped.
func (p *process) register() (uint64, chan body.Map) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		return 0, nil
	}
	p.nextID++
	ch := make(chan body.Map, 1)
	p.pending[p.nextID] = ch
	return p.nextID, ch
}

func (p *process) forget(id uint64) {
	p.mu.Lock()
	delete(p.pending, id)
	p.mu.Unlock()
}

// alive reports whether the worker still answers.
func (p *process) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *process) kill() {
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// stop closes the worker's stdin, which makes it end its calls and exit,
// and kills it if it has not within grace.
func (p *process) stop(grace time.Duration) {
	p.wmu.Lock()
	p.in.Close()
	p.wmu.Unlock()
	select {
	case <-p.exited:
	case <-time.After(grace):
		p.kill()
		<-p.exited
	}
}

// stderrTail logs what the worker writes on stderr, line by line, and
// keeps the last lines for the error of a worker that cannot start.
type stderrTail struct {
	log   logrus.FieldLogger
	mu    sync.Mutex
	part  []byte
	lines []string
}

func (s *stderrTail) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.part = append(s.part, b...)
	for {
		i := bytes.IndexByte(s.part, '\n')
		if i < 0 {
			break
		}
		line := string(s.part[:i])
		s.part = s.part[i+1:]
		if strings.HasPrefix(line, "[DEBUG") || strings.HasPrefix(line, "[INFO") {
			s.log.Debugf("Python worker: %s", line)
		} else {
			s.log.Warnf("Python worker: %s", line)
		}
		s.lines = append(s.lines, line)
		if len(s.lines) > 5 {
			s.lines = s.lines[1:]
		}
	}
	return len(b), nil
}

// String is the last lines, joined.
func (s *stderrTail) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, " | ")
}

package pyworker

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The tests run the worker protocol against a worker of their own: this
// test binary, run again with PYWORKER_FAKE=1, speaks the protocol in Go
// (CI has no Python Salt). Its functions:
//
//	fake.echo      returns {arg, data} as the worker received them
//	fake.grains    returns the grains and pillar it was given last
//	fake.sleep     never answers; a cancel of it is written to the cancel file
//	fake.die       the worker exits without answering
//	fake.raise     an error return as the worker words one
//	fake.reloads   how many reload frames came
//	fake.script    whether the Python script came on fd 3
//	fake.bg        starts a sleep 30 that keeps the worker's stderr; its pid
//
// and at a grains frame it merges {custom: yes, seen_os: <core's os>} over
// the core grains it is given, as the grains module "fake" would.
func TestMain(m *testing.M) {
	if os.Getenv("PYWORKER_FAKE") == "1" {
		fakeWorker()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeCommand runs this binary as the worker.
func fakeCommand() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PYWORKER_FAKE=1")
	return cmd
}

type fake struct {
	wmu     sync.Mutex
	out     io.Writer
	mu      sync.Mutex
	grains  any
	pillar  any
	reloads int
	script  string
	cancels string // the file cancels are written to
}

func fakeWorker() {
	f := &fake{out: os.Stdout}
	if b, err := io.ReadAll(os.NewFile(3, "script")); err == nil {
		f.script = string(b)
	}
	in := bufio.NewReader(os.Stdin)
	init, err := ReadFrame(in)
	if err != nil {
		os.Exit(2)
	}
	if id, _ := init.String("id"); id == "nosalt" {
		f.write(body.Map{{Key: "op", Value: "error"}, {Key: "error", Value: "ModuleNotFoundError: No module named 'salt'"}})
		os.Exit(3)
	}
	opts, _ := init.Map("opts")
	f.cancels, _ = opts.String("cancel_file")
	f.grains, _ = init.Get("grains")
	f.pillar, _ = init.Get("pillar")
	f.write(body.Map{{Key: "op", Value: "ready"}, {Key: "version", Value: "fake"}})
	for {
		m, err := ReadFrame(in)
		if err != nil {
			return // stdin closed: stop, as the Python worker does
		}
		f.handle(m)
	}
}

func (f *fake) write(m body.Map) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if err := WriteFrame(f.out, m); err != nil {
		os.Exit(4)
	}
}

func (f *fake) handle(m body.Map) {
	op, _ := m.String("op")
	id, _ := m.Get("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch op {
	case "reload":
		f.reloads++
	case "cancel":
		fh, err := os.OpenFile(f.cancels, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintln(fh, id)
			fh.Close()
		}
	case "grains":
		core, _ := m.Map("core")
		os, _ := core.Get("os")
		g := append(append(body.Map{}, core...), body.Item{Key: "custom", Value: "yes"}, body.Item{Key: "seen_os", Value: os})
		go f.write(body.Map{{Key: "id", Value: id}, {Key: "grains", Value: g}, {Key: "modules", Value: []any{"fake"}}})
	case "functions":
		go f.write(body.Map{{Key: "id", Value: id}, {Key: "functions", Value: []any{"fake.echo", "fake.sleep"}}})
	case "call":
		if g, ok := m.Get("grains"); ok {
			f.grains = g
		}
		if p, ok := m.Get("pillar"); ok {
			f.pillar = p
		}
		fun, _ := m.String("fun")
		go f.call(id, fun, m)
	}
}

func (f *fake) call(id any, fun string, m body.Map) {
	ok := func(v any) {
		f.write(body.Map{{Key: "id", Value: id}, {Key: "found", Value: true}, {Key: "return", Value: v},
			{Key: "retcode", Value: 0}, {Key: "success", Value: true}, {Key: "out", Value: ""}})
	}
	f.mu.Lock()
	grains, pillar, reloads, script := f.grains, f.pillar, f.reloads, f.script
	f.mu.Unlock()
	switch fun {
	case "fake.echo":
		arg, _ := m.Get("arg")
		data, _ := m.Get("data")
		ok(body.Map{{Key: "arg", Value: arg}, {Key: "data", Value: data}})
	case "fake.grains":
		ok(body.Map{{Key: "grains", Value: grains}, {Key: "pillar", Value: pillar}})
	case "fake.reloads":
		ok(reloads)
	case "fake.script":
		ok(strings.Contains(script, "load_args_and_kwargs"))
	case "fake.bg": // a command left running, holding the worker's stderr
		cmd := exec.Command("sleep", "30")
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			ok(err.Error())
			return
		}
		ok(cmd.Process.Pid)
	case "fake.sleep":
	case "fake.die":
		os.Exit(1)
	case "fake.raise":
		f.write(body.Map{{Key: "id", Value: id}, {Key: "found", Value: true}, {Key: "return", Value: "ERROR: boom"},
			{Key: "retcode", Value: 1}, {Key: "success", Value: false}, {Key: "out", Value: "nested"}, {Key: "raised", Value: true}})
	default:
		f.write(body.Map{{Key: "id", Value: id}, {Key: "found", Value: false}})
	}
}

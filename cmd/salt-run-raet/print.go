package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// printRet prints the run's return as print_async_event prints the ret
// event: a return {"outputter", "data"} is its data with its outputter;
// any other return with the outputter of the event or of the return;
// --out wins over both, except --out=highstate.
func (r *runCmd) printRet(data body.Map) {
	ret, _ := data.Get("return")
	outputter := ""
	if m, ok := ret.(body.Map); ok {
		if o, ok := m.String("outputter"); ok {
			outputter = o
		}
		if d, ok := m.Get("data"); ok && len(m) == 2 && m.Has("outputter") {
			ret = d
		}
	}
	r.display(ret, outputter)
}

// display is salt.output.display_output: --out, unless it is highstate,
// over the outputter asked for; nested when none; an outputter this
// suite does not have falls back to nested, with Salt's error.
func (r *runCmd) display(data any, outputter string) {
	name := outputter
	if r.o.out != "" && (r.o.out != output.HighstateName || name == "") {
		name = r.o.out
	}
	if name == "text" {
		name = "txt"
	}
	if name == "" {
		name = "nested"
	}
	if name == output.HighstateName {
		output.DisplayHighstate(r.out, data, r.outOpts)
		return
	}
	if _, ok := output.CLICanonical(name); !ok {
		r.log.Errorf("Invalid outputter %s specified, fall back to nested", name)
		name = "nested"
	}
	if err := output.DisplayCLI(r.out, name, data, r.outOpts); err != nil {
		r.log.Errorf("The %s outputter failed (%v); falling back to nested", name, err)
		output.DisplayCLI(r.out, "nested", data, r.outOpts)
	}
}

// printDocs prints the runners' documentation, of those fun names when
// given (Runner.print_docs): "<name>:" and the docstring, by name.
func (r *runCmd) printDocs(fun string) int {
	runners := runner.New(&runner.Env{Opts: r.cfg})
	for _, it := range runners.Docs(fun) {
		r.display(it.Key+":", "txt")
		if it.Value == nil {
			fmt.Fprintln(r.out, "None")
			continue
		}
		fmt.Fprintln(r.out, it.Value)
	}
	return exitOK
}

// startAsync runs the runner in a process of its own, this command again
// with the jid chosen here and without --async, and returns at once, as
// salt-run --async does; the run's events and the job cache hold its
// return.
func (r *runCmd) startAsync(args []string, fun string) int {
	jid := r.o.jid
	if jid == "" {
		jid = (&job.JIDGen{}).Next()
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(r.stderr, "ERROR: cannot start the runner in the background: %v\n", err)
		return exitGeneric
	}
	child := []string{"--jid", jid, "--quiet"}
	for _, a := range args {
		if a != "--async" {
			child = append(child, a)
		}
	}
	cmd := exec.Command(self, child...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(r.stderr, "ERROR: cannot start the runner in the background: %v\n", err)
		return exitGeneric
	}
	cmd.Process.Release()
	r.log.Warnf("Running in asynchronous mode. Results of this execution may be collected by attaching to the master event bus or by examining the master job cache, if configured. This execution is running under tag salt/run/%s", jid)
	_ = fun
	return exitOK
}

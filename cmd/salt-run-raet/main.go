// Command salt-run-raet is salt-run for a Salt master on RAET: it runs a
// runner, a convenience function of the master, in its own process, with
// the master's config, as Salt 3006's salt-run does (salt/cli/run.py,
// salt/runner.py, salt/client/mixins.py).
//
//	salt-run-raet [options] <function> [arguments]
//
// Arguments are typed as salt-run types them (YAML: 1 is an integer, a
// jid of 20 digits stays a string), and key=value arguments are keyword
// arguments.
//
// # How it runs a runner
//
// It reads the master's config (-c, default /etc/salt) and runs the runner
// in this process (pkg/salt/runner): the jobs runner reads the master's
// job cache under cachedir; runners that need the minions (jobs.active,
// manage.*) publish through the master's manor yard on lane "master" in
// sock_dir, with the access key the master wrote for its user, as
// salt-raet does. The run is a job of its own: a jid (or --jid), the
// events salt/run/<jid>/new before and salt/run/<jid>/ret after (fun
// "runner.<function>", jid, user, fun_args, _stamp; and return, success),
// fired on the master's bus, and the run stored in the job cache under the
// master's id, as Salt's runner_returns does. A master that cannot be
// reached only loses the events: runners that read the caches still run.
//
// # Output
//
// The return is printed with --out if given, else with the outputter a
// runner names ({"outputter", "data"}, as jobs.lookup_jid does for a
// job whose returns name one), else nested, in colour only on a terminal;
// --out-file writes it to a file instead (truncated first unless
// --out-file-append); --quiet prints nothing. -d prints the runners'
// documentation. --async runs the runner in a process of its own and
// returns at once, logging the tag of its events.
//
// # Exit status
//
//	0   the runner ran, whatever it returned (also an unknown runner, whose
//	    message or the documentation of those named alike is printed,
//	    and bad arguments, whose usage is printed: Salt 3006 exits 0 too)
//	1   the runner raised ("Exception occurred in runner ..."), or its
//	    return is a mapping whose retcode is 1; a bad config
//	n   the retcode of a return that is a mapping with one
//	64  a command line Salt would refuse
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-run-raet"

const (
	exitOK      = cli.ExitOK
	exitGeneric = cli.ExitError
)

func main() {
	ctx, stop := cli.StopOnSignal(context.Background())
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runContext executes the command line and returns the exit status: main
// without the process, for tests.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	root := newRoot(&o)
	var rest []string
	root.RunE = func(_ *cobra.Command, a []string) error {
		rest = a
		return nil
	}
	if code, ok := cli.Execute(root, args, &o.version, stdin, stdout, stderr); !ok {
		return code
	}
	fail := func(msg string) int { return cli.Refuse(stderr, root, msg) }
	if o.out != "" {
		if _, ok := output.CLICanonical(o.out); !ok && o.out != output.HighstateName {
			return fail(fmt.Sprintf("option --out: invalid outputter '%s' (choose from %s, highstate)", o.out, strings.Join(output.CLINames(), ", ")))
		}
	}
	if err := cli.CheckLogLevel("-l/--log-level", o.logLevel); err != nil {
		return fail(err.Error())
	}
	if o.noColor && o.forceColor {
		return fail("--no-color and --force-color cannot be used together")
	}
	if o.timeout < 0 {
		return fail(fmt.Sprintf("option -t/--timeout: %d is not a timeout", o.timeout))
	}
	if o.jid != "" && !job.IsJID(o.jid) {
		return fail(fmt.Sprintf("'%s' is not a valid JID", o.jid))
	}
	if o.doc && len(rest) > 1 {
		return fail("You can only get documentation for one method at one time")
	}
	r := &runCmd{o: &o, stdout: stdout, stderr: stderr}
	if code, done := r.settings(); done {
		return code
	}
	defer r.closeOut()
	fun := ""
	if len(rest) > 0 {
		fun = rest[0]
	}
	if o.doc {
		return r.printDocs(fun)
	}
	if o.async {
		return r.startAsync(args, fun)
	}
	return r.run(ctx, fun, rest[min(1, len(rest)):])
}

// runCmd is one run of salt-run-raet once its command line is read.
type runCmd struct {
	o              *options
	stdout, stderr io.Writer

	log     *logrus.Logger
	cfg     *config.Master
	out     io.Writer // stdout, or the --out-file
	outFile *os.File
	outOpts output.CLIOptions
}

// settings reads the master's config, sets up logging, the output and
// the timeout. done means the command ends here, with code.
func (r *runCmd) settings() (code int, done bool) {
	o := r.o
	loader := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}
	cfg, err := loader.LoadMaster(o.configDir)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(r.stderr, "ERROR: %s\n", line)
		}
		return exitGeneric, true
	}
	r.cfg = cfg
	level := cfg.LogLevel
	if o.logLevel != "" {
		level = o.logLevel
	}
	if r.log, err = saltlog.New(level, r.stderr, ""); err != nil {
		r.log, _ = saltlog.New("warning", r.stderr, "")
	}
	for _, f := range cfg.Files {
		r.log.Debugf("Read configuration from %s", f)
	}
	if o.timeout > 0 {
		cfg.Timeout = o.timeout
	}
	r.out = r.stdout
	if o.outFile != "" {
		flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
		if !o.outFileAppend {
			flags |= os.O_TRUNC
		}
		f, err := os.OpenFile(o.outFile, flags, 0o644)
		if err != nil {
			fmt.Fprintf(r.stderr, "ERROR: --out-file: %v\n", err)
			return exitGeneric, true
		}
		r.out, r.outFile = f, f
	}
	r.outOpts = r.outputOptions()
	return 0, false
}

func (r *runCmd) closeOut() {
	if r.outFile != nil {
		r.outFile.Close()
	}
}

// outputOptions: colour from the flags and the terminal (never in a
// file), the indent from --out-indent or the config's output_indent, and
// the highstate outputter's options.
func (r *runCmd) outputOptions() output.CLIOptions {
	o := r.o
	return cli.OutputOptions(r.cfg.Raw, cli.OutputFlags{
		Color:       o.forceColor || (!o.noColor && o.outFile == "" && cli.IsTerminal(r.stdout)),
		StateOutput: o.stateOutput, StateVerbose: o.stateVerbose,
		IndentSet: o.flags.Changed("out-indent") || o.flags.Changed("output-indent"), Indent: o.outIndent,
	})
}

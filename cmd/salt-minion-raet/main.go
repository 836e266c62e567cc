// Command salt-minion-raet is the Salt minion on RAET: it reads the minion
// config, joins its masters over the road (UDP raet_port, 4510), sends them
// its grains, runs the jobs they publish and returns the results
// (docs/salt-messages.md, pkg/salt/minion).
//
//	salt-minion-raet [-c DIR] [-d] [-l LEVEL] [--log-file FILE] [--pid-file FILE]
//
// Options, as Salt's salt-minion has them:
//
//	-c, --config-dir   the configuration directory (/etc/salt): <dir>/minion
//	-d, --daemon       run in the background: the program starts itself again
//	                   detached (new session, no terminal, output to the log
//	                   file only) and returns once that copy has written its
//	                   pid file, or says why it stopped
//	-l, --log-level    console log level, over the config's log_level
//	--log-file         the log file, over the config's log_file
//	--pid-file         the pid file, over the config's pidfile
//	--version          print the version and exit
//
// Each job runs in a process of its own (multiprocessing: true, Salt's
// default): this program started again with the job, in a process group of
// its own, shown by ps as "/path/to/salt-minion-raet job <jid>"; multiprocessing:
// false runs jobs inside the minion.
//
// SIGTERM and SIGINT shut the minion down cleanly: running jobs get a few
// seconds to finish, returns not yet delivered stay in
// <cachedir>/raet_returns for the next start, and the manor socket and the
// pid file are removed.
//
// # Exit status
//
//	0   stopped by a signal, or --help, --version
//	1   an error: a bad config (the file, line and option are named), keys or
//	    directories that cannot be used, the road port taken, another
//	    minion running with the same pid file, or a stack that failed
//	64  a command line Salt would refuse (EX_USAGE)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/minion"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-minion-raet"

// Exit statuses (salt/defaults/exitcodes.py).
const (
	exitOK    = cli.ExitOK
	exitError = cli.ExitError // EX_GENERIC
	exitUsage = cli.ExitUsage // EX_USAGE
)

// daemonEnv marks the detached copy -d starts, so it does not detach again.
const daemonEnv = "SALT_MINION_RAET_DAEMONIZED"

func main() {
	minion.JobProcessMain() // a job process runs its job and exits here
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status, the minion
// running until SIGTERM or SIGINT.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := cli.StopOnSignal(context.Background())
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

// runContext is run with the minion stopping when ctx ends: tests call it.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o cli.DaemonOptions
	root := cli.NewRoot(prog+" [options]",
		"The Salt minion on RAET",
		"salt-minion-raet is the Salt minion daemon on RAET: it joins its masters over UDP,\nruns the jobs they publish and returns the results.",
		cobra.ArbitraryArgs)
	o.AddFlags(root.Flags(), "minion", "Console logging log level.")
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		return cli.CheckLogLevel("-l/--log-level", o.LogLevel)
	}
	if code, ok := cli.Execute(root, args, &o.Version, stdin, stdout, stderr); !ok {
		return code
	}
	return serve(ctx, &o, args, stderr)
}

// serve loads the config and runs the minion.
func serve(ctx context.Context, o *cli.DaemonOptions, args []string, stderr io.Writer) int {
	cli.WarnMissingConfigDir(stderr, o.ConfigDir)
	cfg, err := config.Loader{Program: prog}.LoadMinion(o.ConfigDir)
	if err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	level, logFile, pidFile := o.Resolve(&cfg.Common)
	if err := checkPidFile(pidFile); err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	if o.Daemon && os.Getenv(daemonEnv) == "" {
		return daemonize(ctx, args, pidFile, stderr)
	}

	var console io.Writer = stderr
	if o.Daemon {
		console = nil // detached: the log file only
	}
	fileForLog := logFile
	if strings.Contains(logFile, "://") {
		fmt.Fprintf(stderr, "WARNING: log_file %s is a URL, which this minion cannot log to; logging to the console only\n", logFile)
		fileForLog = ""
	}
	if fileForLog != "" {
		if err := mkdir.All(filepath.Dir(fileForLog), 0o700); err != nil {
			cli.PrintError(stderr, fmt.Errorf("log file %s: %w", fileForLog, err))
			return exitError
		}
	}
	logger, err := saltlog.New(level, console, fileForLog)
	if err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	for _, f := range cfg.Files {
		logger.Debugf("Read configuration from %s", f)
	}
	if cfg.IDSource != config.IDFromOption {
		logger.Infof("Minion id %s (from %s)", cfg.ID, cfg.IDSource)
	}
	if err := cfg.CacheID(); err != nil {
		logger.Warnf("Cannot cache the minion id: %v", err)
	}

	var opts []minion.Option
	if o := governProcs(); o != nil {
		opts = append(opts, o)
	}
	m, err := minion.New(cfg, logger, opts...)
	if err != nil {
		logger.Errorf("%v", err)
		if console == nil || level == "quiet" || level == "critical" { // not on the console yet
			cli.PrintError(stderr, err)
		}
		return exitError
	}
	if err := cli.WritePidFile(pidFile); err != nil {
		m.Close()
		logger.Errorf("pid file: %v", err)
		cli.PrintError(stderr, fmt.Errorf("pid file: %w", err))
		return exitError
	}
	defer cli.RemovePidFile(pidFile)
	if err := m.Run(ctx); err != nil {
		logger.Errorf("Minion stopped: %v", err)
		return exitError
	}
	logger.Infof("Minion %s stopped", cfg.ID)
	return exitOK
}

// checkPidFile refuses to start over a pid file whose process runs: another
// minion with the same config. A pid file left by a minion that was killed
// does not stop a restart: its process is gone, a zombie, or another
// program that got the pid since (its command is not a salt-minion).
func checkPidFile(path string) error {
	if path == "" {
		return nil
	}
	pid, err := cli.ReadPidFile(path)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return nil
	}
	if minionRunning(pid) {
		return fmt.Errorf("a minion already runs with pid %d (pid file %s)", pid, path)
	}
	return nil
}

// minionRunning reports whether pid is a live salt-minion process. Where
// /proc cannot tell, any live process counts.
func minionRunning(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	if stat, err := os.ReadFile(filepath.Join(proc, "stat")); err == nil {
		// pid (comm) state ...: the state follows the last ')'.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 {
			if f := strings.Fields(string(stat[i+1:])); len(f) > 0 && (f[0] == "Z" || f[0] == "X") {
				return false
			}
		}
	}
	cmdline, err := os.ReadFile(filepath.Join(proc, "cmdline"))
	if err != nil {
		return true
	}
	argv0, _, _ := strings.Cut(string(cmdline), "\x00")
	return strings.Contains(filepath.Base(argv0), "salt-minion")
}

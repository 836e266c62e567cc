// Command salt-master-raet is the Salt master on RAET: it listens for
// minions on UDP interface:raet_port (4506), serves the salt command on the
// manor yard <sock_dir>/master.manor.uxd, and keeps the job cache under
// cachedir, as docs/salt-messages.md describes.
//
//	salt-master-raet [-c DIR] [-d] [-l LEVEL] [--log-file FILE] [--pid-file FILE]
//
// It reads <DIR>/master (default /etc/salt/master) with its includes. At
// start it writes <cachedir>/.<user>_key (mode 0400, new at every start),
// the key the salt command must present, and the pid file (pidfile, or
// --pid-file). SIGTERM or SIGINT shut it down cleanly: the manor socket
// and the pid file are removed.
//
// # Logging
//
// Messages at or above the level (-l, else log_level, default warning) go
// to the log file (--log-file, else log_file) and, in the foreground, to
// stderr too. A log_file that is a URL (syslog targets such as
// udp://host:514) is not supported: the master then logs to stderr only,
// and says so. file:///path is taken as /path.
//
// # Daemon
//
// -d runs the master in the background: it starts itself again detached
// (in a new session, with stdin, stdout and stderr on /dev/null and / as
// its directory) and waits until the new process has written its pid file,
// then exits 0; if the new process stops first, it exits 1 and points to
// the log file. Under systemd run it in the foreground instead
// (Type=simple, no -d).
//
// # Exit status
//
//	0   stopped by SIGTERM or SIGINT (or -d: the daemon started)
//	1   an error: a bad config (the message names the file, line and option),
//	    a socket that cannot be bound, a directory or file that cannot be
//	    written, a stack that failed while serving
//	64  a command line it refuses (EX_USAGE)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/master"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-master-raet"

// Exit statuses (salt/defaults/exitcodes.py).
const (
	exitOK    = cli.ExitOK
	exitError = cli.ExitError // EX_GENERIC
	exitUsage = cli.ExitUsage // EX_USAGE
)

// daemonEnv marks the process -d started, so that it serves instead of
// starting itself again.
const daemonEnv = "SALT_MASTER_RAET_DAEMONIZED"

// daemonStartWait bounds how long -d waits for the daemon's pid file.
const daemonStartWait = 30 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status: main without
// the process, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o cli.DaemonOptions
	root := cli.NewRoot(prog+" [options]",
		"The Salt master on RAET",
		"salt-master-raet is the Salt master daemon speaking RAET: minions join it over UDP,\nthe salt command talks to it over the manor yard in sock_dir.",
		cobra.NoArgs)
	o.AddFlags(root.Flags(), "master", "Logging log level.")
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		return cli.CheckLogLevel("-l/--log-level", o.LogLevel)
	}
	if code, ok := cli.Execute(root, args, &o.Version, stdin, stdout, stderr); !ok {
		return code
	}
	return serve(&o, args, stderr)
}

// serve loads the config and runs the master until a signal stops it.
func serve(o *cli.DaemonOptions, args []string, stderr io.Writer) int {
	cli.WarnMissingConfigDir(stderr, o.ConfigDir)
	cfg, err := config.Loader{Program: prog}.LoadMaster(o.ConfigDir)
	if err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	level, logFile, pidFile := o.Resolve(&cfg.Common)
	logFile, logNote := logPath(logFile)
	child := os.Getenv(daemonEnv) == "1"
	if o.Daemon && !child {
		if logNote != "" {
			fmt.Fprintf(stderr, "WARNING: %s; as a daemon the master will log nothing\n", logNote)
		}
		return daemonize(args, pidFile, logFile, stderr)
	}

	var console io.Writer = stderr
	if child {
		console = nil // stderr is /dev/null
	}
	if logFile != "" {
		if err := mkdir.All(filepath.Dir(logFile), 0o700); err != nil {
			fmt.Fprintf(stderr, "Error: cannot create the directory of the log file %s (log_file in %s, or --log-file): %v\n", logFile, cfg.ConfFile, err)
			return exitError
		}
	}
	logger, err := saltlog.New(level, console, logFile)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v (log_file %s, set in %s or with --log-file)\n", err, logFile, cfg.ConfFile)
		return exitError
	}
	if logNote != "" {
		logger.Warn(logNote)
	}
	for _, f := range cfg.Files {
		logger.Debugf("Read configuration from %s", f)
	}

	// Signals are caught before anything a supervisor waits for (the pid
	// file) exists.
	ctx, stop := cli.StopOnSignal(context.Background())
	defer stop()

	m, err := master.New(cfg, logger)
	if err != nil {
		logger.Errorf("Cannot start the master: %v", err)
		if console == nil || logFile == "" {
			fmt.Fprintf(stderr, "Error: %v\n", err)
		}
		return exitError
	}
	if err := cli.WritePidFile(pidFile); err != nil {
		logger.Errorf("Cannot write the pid file: %v", err)
		fmt.Fprintf(stderr, "Error: cannot write the pid file (pidfile in %s, or --pid-file): %v\n", cfg.ConfFile, err)
		m.Close()
		return exitError
	}
	defer cli.RemovePidFile(pidFile)
	logger.Infof("Started %s %s as pid %d (config %s)", prog, cli.Version(), os.Getpid(), cfg.ConfFile)

	err = m.Run(ctx)
	logger.Infof("Shutting down; counters: %v", m.Stats())
	if err != nil {
		logger.Errorf("The master stopped: %v", err)
		if console == nil || logFile == "" {
			fmt.Fprintf(stderr, "Error: %v\n", err)
		}
		return exitError
	}
	return exitOK
}

// logPath turns log_file into a file path. A URL other than file:// names a
// syslog target, which is not supported: the path is then "" and the note
// says why.
func logPath(p string) (path, note string) {
	if rest, ok := strings.CutPrefix(p, "file://"); ok {
		return rest, ""
	}
	if i := strings.Index(p, "://"); i > 0 && !strings.ContainsAny(p[:i], "/") {
		return "", fmt.Sprintf("log_file %s is a URL; only files are supported, logging to stderr only", p)
	}
	return p, ""
}

// daemonize is -d: it starts the master again detached (cli.Detach) and
// waits until the new process has written its pid file (it serves from
// then on: 0) or has stopped (it failed to start: 1, pointing to the log
// file). A daemon silent past daemonStartWait is an error too.
func daemonize(args []string, pidFile, logFile string, stderr io.Writer) int {
	c, err := cli.Detach(args, daemonEnv)
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Fprintf(stderr, "Error: -d/--daemon is not supported on this system; run %s in the foreground under a service manager\n", prog)
		return exitError
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: cannot daemonize: %v\n", err)
		return exitError
	}
	see := "see the log file " + logFile
	if logFile == "" {
		see = "run it in the foreground to see why"
	}
	switch start, err := c.WaitReady(context.Background(), pidFile, daemonStartWait); start {
	case cli.Exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			fmt.Fprintf(stderr, "Error: the daemon stopped as it started (exit status %d); %s\n", ee.ExitCode(), see)
		} else {
			fmt.Fprintf(stderr, "Error: the daemon stopped as it started (%v); %s\n", err, see)
		}
		return exitError
	case cli.TimedOut:
		fmt.Fprintf(stderr, "Error: the daemon (pid %d) did not write its pid file %s within %s; %s\n",
			c.Pid, pidFile, daemonStartWait, see)
		return exitError
	}
	return exitOK
}

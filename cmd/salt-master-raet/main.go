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
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/salt/config"
	slog "github.com/saltraet/saltraet/pkg/salt/log"
	"github.com/saltraet/saltraet/pkg/salt/master"
)

const prog = "salt-master-raet"

// Exit statuses (salt/defaults/exitcodes.py).
const (
	exitOK    = 0
	exitError = 1  // EX_GENERIC
	exitUsage = 64 // EX_USAGE
)

// daemonEnv marks the process -d started, so that it serves instead of
// starting itself again.
const daemonEnv = "SALT_MASTER_RAET_DAEMONIZED"

// Salt's log levels, as -l takes them.
var logLevels = []string{"all", "garbage", "trace", "debug", "profile", "info", "warning", "error", "critical", "quiet"}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type options struct {
	configDir string
	daemon    bool
	logLevel  string
	logFile   string
	pidFile   string
	version   bool
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run executes the command line and returns the exit status: main without
// the process, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	ran := false
	root := &cobra.Command{
		Use:           prog + " [options]",
		Short:         "The Salt master on RAET",
		Long:          "salt-master-raet is the Salt master daemon speaking RAET: minions join it over UDP,\nthe salt command talks to it over the manor yard in sock_dir.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,

		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, rest []string) error {
			if o.logLevel != "" && !slices.Contains(logLevels, strings.ToLower(o.logLevel)) {
				return usageError{fmt.Sprintf("option -l/--log-level: invalid choice: '%s' (choose from '%s')", o.logLevel, strings.Join(logLevels, "', '"))}
			}
			ran = true
			return nil
		},
	}
	f := root.Flags()
	f.SortFlags = false
	f.StringVarP(&o.configDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.BoolVarP(&o.daemon, "daemon", "d", false, "Run the master as a daemon.")
	f.StringVarP(&o.logLevel, "log-level", "l", "", "Logging log level. One of '"+strings.Join(logLevels, "', '")+"'. Default: the config's log_level ('warning').")
	f.StringVar(&o.logFile, "log-file", "", "Log file path. Default: the config's log_file ('/var/log/salt/master').")
	f.StringVar(&o.pidFile, "pid-file", "", "Specify the location of the pidfile. Default: the config's pidfile ('/var/run/salt-master.pid').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "Usage: %s [options]\n\n%s: error: %s\n", prog, prog, err)
		return exitUsage
	}
	if !ran {
		return exitOK // --help
	}
	if o.version {
		fmt.Fprintf(stdout, "%s %s\n", prog, version())
		return exitOK
	}
	return serve(&o, args, stderr)
}

// serve loads the config and runs the master until a signal stops it.
func serve(o *options, args []string, stderr io.Writer) int {
	if fi, err := os.Stat(o.configDir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "WARNING: \"%s\" directory does not exist.\n", o.configDir)
	}
	cfg, err := config.Loader{Program: prog}.LoadMaster(o.configDir)
	if err != nil {
		printError(stderr, err)
		return exitError
	}
	level := cfg.LogLevel
	if o.logLevel != "" {
		level = strings.ToLower(o.logLevel)
	}
	logFile := cfg.LogFile
	if o.logFile != "" {
		logFile = o.logFile
	}
	pidFile := cfg.Pidfile
	if o.pidFile != "" {
		pidFile = o.pidFile
	}
	logFile, logNote := logPath(logFile)
	child := os.Getenv(daemonEnv) == "1"
	if o.daemon && !child {
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
		if err := os.MkdirAll(filepath.Dir(logFile), 0o700); err != nil {
			fmt.Fprintf(stderr, "Error: cannot create the directory of the log file %s (log_file in %s, or --log-file): %v\n", logFile, cfg.ConfFile, err)
			return exitError
		}
	}
	logger, err := slog.New(level, console, logFile)
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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	m, err := master.New(cfg, logger)
	if err != nil {
		logger.Errorf("Cannot start the master: %v", err)
		if console == nil || logFile == "" {
			fmt.Fprintf(stderr, "Error: %v\n", err)
		}
		return exitError
	}
	if err := writePidFile(pidFile); err != nil {
		logger.Errorf("Cannot write the pid file: %v", err)
		fmt.Fprintf(stderr, "Error: cannot write the pid file (pidfile in %s, or --pid-file): %v\n", cfg.ConfFile, err)
		m.Close()
		return exitError
	}
	defer removePidFile(pidFile)
	logger.Infof("Started %s %s as pid %d (config %s)", prog, version(), os.Getpid(), cfg.ConfFile)

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

// writePidFile writes the process id to path, creating its directory.
func writePidFile(path string) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// removePidFile removes the pid file if it is still this process's.
func removePidFile(path string) {
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}

// readPid reads a pid file.
func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, errors.New("pid file " + path + " does not hold a pid")
	}
	return pid, nil
}

// printError writes err one line per problem, as Salt does.
func printError(w io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "Error: %s\n", line)
	}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

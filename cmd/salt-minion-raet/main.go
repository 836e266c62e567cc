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
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/salt/config"
	saltlog "github.com/saltraet/saltraet/pkg/salt/log"
	"github.com/saltraet/saltraet/pkg/salt/minion"
)

const prog = "salt-minion-raet"

// Exit statuses (salt/defaults/exitcodes.py).
const (
	exitOK    = 0
	exitError = 1  // EX_GENERIC
	exitUsage = 64 // EX_USAGE
)

// daemonEnv marks the detached copy -d starts, so it does not detach again.
const daemonEnv = "SALT_MINION_RAET_DAEMONIZED"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status, the minion
// running until SIGTERM or SIGINT.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

// usageError is a command line the program refuses before doing anything.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type options struct {
	configDir string
	daemon    bool
	logLevel  string
	logFile   string
	pidFile   string
	version   bool
}

// logLevels are the levels --log-level takes (Salt's LOG_LEVELS).
var logLevels = []string{"all", "garbage", "trace", "debug", "profile", "info", "warning", "error", "critical", "quiet"}

// runContext is run with the minion stopping when ctx ends: tests call it.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	root := &cobra.Command{
		Use:                   prog + " [options]",
		Short:                 "The Salt minion on RAET",
		Long:                  "salt-minion-raet is the Salt minion daemon on RAET: it joins its masters over UDP,\nruns the jobs they publish and returns the results.",
		SilenceErrors:         true,
		SilenceUsage:          true,
		Args:                  cobra.ArbitraryArgs,
		DisableFlagsInUseLine: true,
	}
	f := root.Flags()
	f.SortFlags = false
	f.StringVarP(&o.configDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.BoolVarP(&o.daemon, "daemon", "d", false, "Run the minion as a daemon.")
	f.StringVarP(&o.logLevel, "log-level", "l", "", "Console logging log level. One of "+strings.Join(quoted(logLevels), ", ")+". Default: the config's log_level ('warning').")
	f.StringVar(&o.logFile, "log-file", "", "Log file path. Default: the config's log_file ('/var/log/salt/minion').")
	f.StringVar(&o.pidFile, "pid-file", "", "Specify the location of the pidfile. Default: the config's pidfile ('/var/run/salt-minion.pid').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	ran := false
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		if len(rest) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
		}
		if o.logLevel != "" && !slices.Contains(logLevels, strings.ToLower(o.logLevel)) {
			return usageError{fmt.Sprintf("option -l/--log-level: invalid choice: '%s' (choose from %s)", o.logLevel, strings.Join(quoted(logLevels), ", "))}
		}
		ran = true
		return nil
	}
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
	return serve(ctx, &o, stderr)
}

// serve loads the config and runs the minion.
func serve(ctx context.Context, o *options, stderr io.Writer) int {
	if fi, err := os.Stat(o.configDir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "WARNING: \"%s\" directory does not exist.\n", o.configDir)
	}
	cfg, err := config.Loader{Program: prog}.LoadMinion(o.configDir)
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
	if err := checkPidFile(pidFile); err != nil {
		printError(stderr, err)
		return exitError
	}
	if o.daemon && os.Getenv(daemonEnv) == "" {
		return daemonize(ctx, pidFile, stderr)
	}

	var console io.Writer = stderr
	if o.daemon {
		console = nil // detached: the log file only
	}
	fileForLog := logFile
	if strings.Contains(logFile, "://") {
		fmt.Fprintf(stderr, "WARNING: log_file %s is a URL, which this minion cannot log to; logging to the console only\n", logFile)
		fileForLog = ""
	}
	if fileForLog != "" {
		if err := os.MkdirAll(filepath.Dir(fileForLog), 0o700); err != nil {
			printError(stderr, fmt.Errorf("log file %s: %w", fileForLog, err))
			return exitError
		}
	}
	logger, err := saltlog.New(level, console, fileForLog)
	if err != nil {
		printError(stderr, err)
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

	m, err := minion.New(cfg, logger)
	if err != nil {
		logger.Errorf("%v", err)
		if console == nil || level == "quiet" || level == "critical" { // not on the console yet
			printError(stderr, err)
		}
		return exitError
	}
	if err := writePidFile(pidFile); err != nil {
		m.Close()
		logger.Errorf("pid file: %v", err)
		printError(stderr, fmt.Errorf("pid file: %w", err))
		return exitError
	}
	defer removePidFile(pidFile)
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
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

// writePidFile writes this process's pid, as Salt does: the number and a
// newline.
func writePidFile(path string) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// removePidFile removes the pid file if it is still ours.
func removePidFile(path string) {
	if path == "" {
		return
	}
	if data, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(data)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "'" + n + "'"
	}
	return out
}

// printError writes err as Salt's tools do, one line per problem when a
// config load found several.
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

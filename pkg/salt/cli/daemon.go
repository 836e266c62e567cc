package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/config"
)

// DaemonOptions are the options Salt's daemons share, salt-master's and
// salt-minion's: -c, -d, -l, --log-file, --pid-file and --version.
type DaemonOptions struct {
	ConfigDir string
	Daemon    bool
	LogLevel  string
	LogFile   string
	PidFile   string
	Version   bool
}

// AddFlags defines the options on f, in Salt's order and with its help.
// role ("master", "minion") names the daemon and its default files;
// levelHelp is the first sentence of -l's help, before its levels.
func (o *DaemonOptions) AddFlags(f *pflag.FlagSet, role, levelHelp string) {
	f.StringVarP(&o.ConfigDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.BoolVarP(&o.Daemon, "daemon", "d", false, "Run the "+role+" as a daemon.")
	f.StringVarP(&o.LogLevel, "log-level", "l", "", levelHelp+" One of "+Choices(LogLevels)+". Default: the config's log_level ('warning').")
	f.StringVar(&o.LogFile, "log-file", "", "Log file path. Default: the config's log_file ('/var/log/salt/"+role+"').")
	f.StringVar(&o.PidFile, "pid-file", "", "Specify the location of the pidfile. Default: the config's pidfile ('/var/run/salt-"+role+".pid').")
	f.BoolVar(&o.Version, "version", false, "Show the program's version number and exit.")
}

// Resolve is what the daemon runs with: the command line's -l (in lower
// case), --log-file and --pid-file, else the config's log_level, log_file
// and pidfile.
func (o *DaemonOptions) Resolve(c *config.Common) (level, logFile, pidFile string) {
	level, logFile, pidFile = c.LogLevel, c.LogFile, c.Pidfile
	if o.LogLevel != "" {
		level = strings.ToLower(o.LogLevel)
	}
	if o.LogFile != "" {
		logFile = o.LogFile
	}
	if o.PidFile != "" {
		pidFile = o.PidFile
	}
	return level, logFile, pidFile
}

// WritePidFile writes this process's pid to path as Salt does, the
// number and a newline, creating its directory. An empty path writes
// nothing.
func WritePidFile(path string) error {
	if path == "" {
		return nil
	}
	if err := mkdir.All(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// RemovePidFile removes the pid file if it is still this process's: a
// daemon started since over the same file keeps it.
func RemovePidFile(path string) {
	if path == "" {
		return
	}
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}

// ReadPidFile reads the pid a pid file holds.
func ReadPidFile(path string) (int, error) {
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

// A DetachError says which step of Detach failed, for the commands whose
// messages tell them apart.
type DetachError struct {
	Op  string // "executable" (finding this program), "devnull" or "start"
	Err error
}

func (e *DetachError) Error() string { return e.Err.Error() }
func (e *DetachError) Unwrap() error { return e.Err }

// Child is the detached copy of a daemon that Detach started.
type Child struct {
	Pid    int
	exited chan error // what Wait returned, once it has
}

// Detach is the daemons' -d: it starts this program again with args,
// detached: in a new session with no terminal, stdin, stdout and stderr on
// /dev/null, / as its directory, and marker=1 in its environment, so that
// the copy (given -d again) serves instead of detaching again. A Go
// program cannot fork(2) itself safely, so this is Salt's double fork
// done by starting a new process. Where that is not supported the error
// is errors.ErrUnsupported.
func Detach(args []string, marker string) (*Child, error) {
	attr, err := detachedAttr()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, &DetachError{"executable", err}
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, &DetachError{"devnull", err}
	}
	defer null.Close()
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), marker+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.Dir = "/"
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		return nil, &DetachError{"start", err}
	}
	c := &Child{Pid: cmd.Process.Pid, exited: make(chan error, 1)}
	go func() { c.exited <- cmd.Wait() }()
	return c, nil
}

// A Start is how the wait for a detached copy ended.
type Start int

const (
	Ready    Start = iota // its pid file names it (or there is no pid file): it serves
	Exited                // it stopped: it failed to start
	TimedOut              // neither within the limit
	Canceled              // the context ended first
)

// daemonPoll is how often WaitReady looks at the pid file.
const daemonPoll = 20 * time.Millisecond

// WaitReady waits until the copy has written its pid file (it serves from
// then on), has stopped (the error is what exec.Cmd.Wait returned), limit
// has passed or ctx has ended. With no pid file the copy is taken as ready
// at the first look, unless it has stopped by then.
func (c *Child) WaitReady(ctx context.Context, pidFile string, limit time.Duration) (Start, error) {
	tick := time.NewTicker(daemonPoll)
	defer tick.Stop()
	timeout := time.After(limit)
	for {
		select {
		case err := <-c.exited:
			return Exited, err
		case <-tick.C:
			if pidFile == "" {
				return Ready, nil
			}
			if pid, err := ReadPidFile(pidFile); err == nil && pid == c.Pid {
				return Ready, nil
			}
		case <-timeout:
			return TimedOut, nil
		case <-ctx.Done():
			return Canceled, nil
		}
	}
}

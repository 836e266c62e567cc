package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/cli"
)

// daemonStartWait is how long -d waits for the detached minion to say it
// started (its pid file) before leaving it to itself.
const daemonStartWait = 15 * time.Second

// daemonize starts this program again, detached (cli.Detach: a new session
// with no terminal, the same arguments, -d included, and daemonEnv set, so
// it does not detach again). It returns once the copy has written its pid
// file (0), or has stopped (1). A copy that has done neither within
// daemonStartWait is left running with a warning (0), as is one still
// starting when ctx ends.
func daemonize(ctx context.Context, args []string, pidFile string, stderr io.Writer) int {
	c, err := cli.Detach(args, daemonEnv)
	if de := (*cli.DetachError)(nil); errors.As(err, &de) {
		switch de.Op {
		case "executable":
			err = fmt.Errorf("cannot find this program to start it as a daemon: %v", de.Err)
		case "start":
			err = fmt.Errorf("cannot start the daemon: %v", de.Err)
		}
	}
	if err != nil {
		cli.PrintError(stderr, err)
		return exitError
	}
	switch start, err := c.WaitReady(ctx, pidFile, daemonStartWait); start {
	case cli.Exited:
		cli.PrintError(stderr, fmt.Errorf("the daemon stopped at start (%v); see the log file", err))
		return exitError
	case cli.TimedOut:
		fmt.Fprintf(stderr, "WARNING: the daemon (pid %d) has not written %s within %v; leaving it running\n", c.Pid, pidFile, daemonStartWait)
	}
	return exitOK
}

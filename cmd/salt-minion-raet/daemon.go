package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// daemonStartWait is how long -d waits for the detached minion to say it
// started (its pid file) before leaving it to itself.
const daemonStartWait = 15 * time.Second

// daemonize starts this program again, detached: a new session with no
// terminal, stdin, stdout and stderr on /dev/null, the same arguments (-d
// included, and daemonEnv set, so it does not detach again). A Go program
// cannot fork(2) itself safely, so this is Salt's double fork done by
// starting a new process. It returns once the copy has written its pid file
// (0), or has stopped (1).
func daemonize(ctx context.Context, pidFile string, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		printError(stderr, fmt.Errorf("cannot find this program to start it as a daemon: %v", err))
		return exitError
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		printError(stderr, err)
		return exitError
	}
	defer null.Close()
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		printError(stderr, fmt.Errorf("cannot start the daemon: %v", err))
		return exitError
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pid := strconv.Itoa(cmd.Process.Pid)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(daemonStartWait)
	for {
		select {
		case err := <-exited:
			printError(stderr, fmt.Errorf("the daemon stopped at start (%v); see the log file", err))
			return exitError
		case <-tick.C:
			if pidFile == "" {
				return exitOK
			}
			if data, err := os.ReadFile(pidFile); err == nil && strings.TrimSpace(string(data)) == pid {
				return exitOK
			}
		case <-timeout:
			fmt.Fprintf(stderr, "WARNING: the daemon (pid %s) has not written %s within %v; leaving it running\n", pid, pidFile, daemonStartWait)
			return exitOK
		case <-ctx.Done():
			return exitOK
		}
	}
}

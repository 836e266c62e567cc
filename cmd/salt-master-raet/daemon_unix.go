//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// daemonStartWait bounds how long -d waits for the daemon's pid file.
const daemonStartWait = 30 * time.Second

// daemonize starts this program again with the same arguments, detached in
// a new session, and waits until it has written its pid file (it serves
// from then on) or has stopped (it failed to start).
func daemonize(args []string, pidFile, logFile string, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "Error: cannot daemonize: %v\n", err)
		return exitError
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), daemonEnv+"=1")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// Stdin, Stdout and Stderr left nil are /dev/null.
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "Error: cannot daemonize: %v\n", err)
		return exitError
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	see := "see the log file " + logFile
	if logFile == "" {
		see = "run it in the foreground to see why"
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(daemonStartWait)
	for {
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				fmt.Fprintf(stderr, "Error: the daemon stopped as it started (exit status %d); %s\n", ee.ExitCode(), see)
			} else {
				fmt.Fprintf(stderr, "Error: the daemon stopped as it started (%v); %s\n", err, see)
			}
			return exitError
		case <-tick.C:
			if pidFile == "" {
				return exitOK
			}
			if pid, err := readPid(pidFile); err == nil && pid == cmd.Process.Pid {
				return exitOK
			}
		case <-deadline:
			fmt.Fprintf(stderr, "Error: the daemon (pid %d) did not write its pid file %s within %s; %s\n",
				cmd.Process.Pid, pidFile, daemonStartWait, see)
			return exitError
		}
	}
}

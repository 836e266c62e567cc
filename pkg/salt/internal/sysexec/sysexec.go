// Package sysexec runs the system commands that Salt's execution modules
// and states run (apt-get, service, useradd, ...), behind one function
// type so that tests can answer for the machine.
package sysexec

import (
	"bytes"
	"context"
	"os"
	"os/exec"
)

// Runner runs a command with env added to the process's environment:
// its stdout, stderr and exit code. err is a failure to run it at all (not
// found, not executable), never a non-zero exit.
type Runner func(ctx context.Context, argv []string, env []string) (stdout, stderr string, rc int, err error)

// Exec runs commands on this machine.
func Exec(ctx context.Context, argv []string, env []string) (string, string, int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode(), nil
	}
	if err != nil {
		return "", "", 0, err
	}
	return out.String(), errb.String(), 0, nil
}

// OK runs a command and reports whether it exited 0, as Salt's
// `not __salt__["cmd.retcode"](cmd)` does.
func OK(ctx context.Context, run Runner, argv ...string) bool {
	_, _, rc, err := run(ctx, argv, nil)
	return err == nil && rc == 0
}

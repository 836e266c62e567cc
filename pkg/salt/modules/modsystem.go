package modules

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
)

// systemFuncs is the modules that read and change the host: network, disk,
// status, ps, cron, hosts, archive, timezone, locale, environ.
func systemFuncs(opts Options) []Func {
	var fs []Func
	for _, group := range [][]Func{statusFuncs(), diskFuncs(), networkFuncs(), psFuncs(), environFuncs(),
		timezoneFuncs(), localeFuncs(), hostsFuncs(), cronFuncs(), archiveFuncs()} {
		fs = append(fs, group...)
	}
	return fs
}

// hostRun runs argv directly (no shell) as Salt's modules run their helper
// commands through cmd.run_all with python_shell=False: stdout and stderr
// apart, the exit code, and an error only when the command could not start.
func hostRun(ctx context.Context, argv ...string) (stdout, stderr string, rc int, err error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode(), nil
	}
	return out.String(), errb.String(), 0, err
}

// hostOutput is cmd.run of argv: stdout and stderr together, trailing
// whitespace stripped, "" when the command cannot start.
func hostOutput(ctx context.Context, argv ...string) string {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	out, _ := cmd.CombinedOutput()
	return strings.TrimRight(string(out), " \t\r\n")
}

// statNumber is status._number: an int for digits only, else a float,
// else the text itself.
func statNumber(text string) any {
	if text != "" && strings.Trim(text, "0123456789") == "" {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
		return f
	}
	return text
}

// hostCommand is the command argv, not yet started, for callers that set
// its directory or environment.
func hostCommand(ctx context.Context, argv []string) *exec.Cmd {
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

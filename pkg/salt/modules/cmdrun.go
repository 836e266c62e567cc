package modules

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// run starts the prepared command in its own process group, so that a
// timeout or a cancelled job kills everything it started, waits for it,
// and sets the job's retcode. A nil result with a nil error means the
// job's context ended and the command was killed. discardOutput is for
// cmd.retcode, whose output nobody reads.
func (s *cmdSpec) run(c *Call, discardOutput bool) (*cmdResult, error) {
	cmd := s.command()
	var stdout, stderr bytes.Buffer
	if !discardOutput {
		cmd.Stdout = &stdout
		if s.redirectStderr {
			cmd.Stderr = &stdout
		} else {
			cmd.Stderr = &stderr
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, cmdErr("Unable to run command '%s', reason: %s", s.shown, osErrorText(err, s.argv[0]))
	}
	res := &cmdResult{pid: cmd.Process.Pid}
	switch s.wait(c, cmd) {
	case waitCancelled:
		return nil, nil
	case waitTimedOut:
		res.timedOut = true
		res.stdout = s.shown + " : Timed out after " + s.timeoutText + " seconds"
		res.retcode = 1
		// Salt leaves the job's retcode at 0 here; a command that had to be
		// killed did not succeed, so the job says so.
		if !s.ignoreRetcode {
			c.SetRetcode(1)
		}
		return res, nil
	}
	res.retcode = exitCode(cmd.ProcessState)
	res.stdout = decodeOutput(stdout.Bytes())
	res.stderr = decodeOutput(stderr.Bytes())
	if s.rstrip {
		res.stdout = strings.TrimRightFunc(res.stdout, py.IsSpace)
		res.stderr = strings.TrimRightFunc(res.stderr, py.IsSpace)
	}
	if s.success.met(res) {
		res.retcode = 0
	}
	if s.ignoreRetcode {
		c.SetRetcode(0)
	} else {
		c.SetRetcode(res.retcode)
	}
	return res, nil
}

// command is the process to start, without its output streams.
func (s *cmdSpec) command() *osexec.Cmd {
	cmd := &osexec.Cmd{Path: s.argv[0], Args: s.argv, Dir: s.dir}
	if !strings.Contains(s.argv[0], "/") {
		// Popen looks the program up along the PATH of the environment it
		// is given, not the minion's.
		path, _ := s.env.String("PATH")
		cmd.Path = lookPath(s.argv[0], path)
	}
	cmd.Env = []string{}
	for _, it := range s.env {
		cmd.Env = append(cmd.Env, it.Key+"="+py.Str(it.Value))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred}
	if s.stdin != nil {
		cmd.Stdin = bytes.NewReader(s.stdin)
	}
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// waitEnd is how waiting for a command ended.
type waitEnd int

const (
	waitExited waitEnd = iota
	waitTimedOut
	waitCancelled
)

// wait waits for the started command to exit, for its timeout, or for the
// job's context to end; in the last two cases it kills the command's
// process group and waits for it to be reaped.
func (s *cmdSpec) wait(c *Call, cmd *osexec.Cmd) waitEnd {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if s.timeout > 0 {
		t := time.NewTimer(s.timeout)
		defer t.Stop()
		timer = t.C
	}
	end := waitExited
	select {
	case <-done:
		return waitExited
	case <-timer:
		end = waitTimedOut
	case <-c.Ctx.Done():
		end = waitCancelled
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	return end
}

// met reports whether the finished command counts as a success: its
// exit code is one of the success retcodes, or its output contains one
// of the success strings.
func (r successRule) met(res *cmdResult) bool {
	met := false
	for _, ok := range r.retcodes {
		if int64(res.retcode) == ok {
			met = true
		}
	}
	for _, s := range r.stdout {
		if strings.Contains(res.stdout, py.Str(s)) {
			met = true
		}
	}
	for _, s := range r.stderr {
		if strings.Contains(res.stderr, py.Str(s)) {
			met = true
		}
	}
	return met
}

// lookPath finds an executable along path as Popen does; a name it cannot
// find is returned unchanged, so that starting it fails with ENOENT.
func lookPath(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return name
}

// osErrorText renders a failed start as Python's OSError does:
// "[Errno 2] No such file or directory: 'prog'".
func osErrorText(err error, prog string) string {
	var errno syscall.Errno
	if errors.As(err, &errno) || errors.Is(err, fs.ErrNotExist) {
		if errno == 0 {
			errno = syscall.ENOENT
		}
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + strerror(errno) + ": " + py.Quote(prog)
	}
	return err.Error()
}

// strerror is an OSError's strerror, C's wording: "No such file or
// directory"; an error without an errno gives its own text.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	msg := errno.Error()
	if msg != "" {
		r, size := utf8.DecodeRuneInString(msg)
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	return msg
}

// exitCode is Popen.returncode: the exit status, or minus the signal that
// ended the process.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return 1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return ps.ExitCode()
}

// decodeOutput decodes command output as UTF-8, each undecodable byte
// replaced by U+FFFD, as Salt's to_unicode(errors="replace") does.
func decodeOutput(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

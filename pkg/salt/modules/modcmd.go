package modules

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cmdParams is the signature of Salt's cmd.run (salt/modules/cmdmod.py,
// 3006), which the other cmd functions share in their first positions. All
// of them also take **kwargs, so they receive the __pub_* keys, and
// __pub_jid makes python_shell default to True for published jobs.
func cmdParams(redirectStderr bool) []Param {
	return []Param{
		{Name: "cmd", Required: true},
		{Name: "cwd"}, {Name: "stdin"}, {Name: "runas"}, {Name: "group"}, {Name: "shell"},
		{Name: "python_shell"}, {Name: "env"}, {Name: "clean_env", Default: false}, {Name: "template"},
		{Name: "rstrip", Default: true}, {Name: "umask"}, {Name: "output_encoding"},
		{Name: "output_loglevel", Default: "debug"}, {Name: "log_callback"},
		{Name: "hide_output", Default: false}, {Name: "timeout"},
		{Name: "reset_system_locale", Default: true}, {Name: "ignore_retcode", Default: false},
		{Name: "saltenv"}, {Name: "use_vt", Default: false}, {Name: "redirect_stderr", Default: redirectStderr},
		{Name: "bg", Default: false}, {Name: "password"}, {Name: "encoded_cmd", Default: false},
		{Name: "raise_err", Default: false}, {Name: "prepend_path"}, {Name: "success_retcodes"},
		{Name: "success_stdout"}, {Name: "success_stderr"},
	}
}

const cmdDocTail = "\n\ncwd, env (a mapping), timeout (seconds), shell (default /bin/sh), python_shell (default True for published jobs), " +
	"stdin, runas, clean_env, prepend_path, rstrip, hide_output, ignore_retcode and success_retcodes/success_stdout/success_stderr are honoured."

func cmdFuncs() []Func {
	return []Func{
		{
			Name: "cmd.run", Params: cmdParams(true), VarKwargs: true,
			Doc: "Run a command and return its output, standard error merged in, trailing whitespace stripped. The job's retcode is the command's exit code." +
				cmdDocTail + "\n\nCLI Example: salt '*' cmd.run 'ls -l /etc'",
			Call: func(c *Call) (any, error) {
				r, err := runCmd(c, false)
				if err != nil || r == nil {
					return cancelledOr(r, err)
				}
				if r.retcode != 0 && !isTrue(c.Arg("ignore_retcode")) && pyTruthy(c.Arg("raise_err")) {
					if pyTruthy(c.Arg("hide_output")) {
						return nil, cmdErr("")
					}
					return nil, cmdErr("%s", r.stdout)
				}
				if pyTruthy(c.Arg("hide_output")) {
					return "", nil
				}
				return r.stdout, nil
			},
		},
		{
			Name: "cmd.shell", Params: cmdParams(true), VarKwargs: true,
			Doc: "Like cmd.run, but through the shell unless python_shell=False." + cmdDocTail +
				"\n\nCLI Example: salt '*' cmd.shell 'ls -l | wc -l'",
			Call: func(c *Call) (any, error) {
				if _, given := c.Kwargs.Get("python_shell"); !given && c.Arg("python_shell") == nil {
					c.named["python_shell"] = true
				}
				return runOutput(c, false)
			},
		},
		{
			Name: "cmd.run_all", Params: cmdParams(false), VarKwargs: true,
			Doc: "Run a command and return {pid, retcode, stdout, stderr}; the job's retcode is the command's." + cmdDocTail +
				"\n\nCLI Example: salt '*' cmd.run_all 'ls -l /etc'",
			Call: func(c *Call) (any, error) {
				r, err := runCmd(c, false)
				if err != nil || r == nil {
					return cancelledOr(r, err)
				}
				if pyTruthy(c.Arg("hide_output")) {
					r.stdout, r.stderr = "", ""
				}
				return r.load(), nil
			},
		},
		{
			Name: "cmd.run_stdout", Params: cmdParams(false), VarKwargs: true,
			Doc: "Run a command and return its standard output only." + cmdDocTail +
				"\n\nCLI Example: salt '*' cmd.run_stdout 'ls -l /etc'",
			Call: func(c *Call) (any, error) {
				return runOutput(c, false)
			},
		},
		{
			Name: "cmd.run_stderr", Params: cmdParams(false), VarKwargs: true,
			Doc: "Run a command and return its standard error only." + cmdDocTail +
				"\n\nCLI Example: salt '*' cmd.run_stderr 'ls -l /nonexistent'",
			Call: func(c *Call) (any, error) {
				return runOutput(c, true)
			},
		},
		{
			Name: "cmd.retcode", Params: cmdParams(true), VarKwargs: true,
			Doc: "Run a command and return its exit code, which is also the job's retcode." + cmdDocTail +
				"\n\nCLI Example: salt '*' cmd.retcode 'test -d /etc'",
			Call: func(c *Call) (any, error) {
				r, err := runCmd(c, true)
				if err != nil || r == nil {
					return cancelledOr(r, err)
				}
				return r.retcode, nil
			},
		},
	}
}

// runOutput runs the command for the functions that return one of its
// outputs as text: its standard error with stderr, else its standard
// output; "" with hide_output.
func runOutput(c *Call, stderr bool) (any, error) {
	r, err := runCmd(c, false)
	if err != nil || r == nil {
		return cancelledOr(r, err)
	}
	switch {
	case pyTruthy(c.Arg("hide_output")):
		return "", nil
	case stderr:
		return r.stderr, nil
	}
	return r.stdout, nil
}

func cancelledOr(r *cmdResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return cancelled{}, nil
}

type cmdResult struct {
	pid      int
	retcode  int
	stdout   string
	stderr   string
	timedOut bool
}

// load is the cmd.run_all return, keys in the order Salt's _run sets them.
func (r *cmdResult) load() body.Map {
	if r.timedOut {
		return body.Map{{Key: "stdout", Value: r.stdout}, {Key: "stderr", Value: r.stderr}, {Key: "retcode", Value: r.retcode}, {Key: "pid", Value: r.pid}}
	}
	return body.Map{{Key: "pid", Value: r.pid}, {Key: "retcode", Value: r.retcode}, {Key: "stdout", Value: r.stdout}, {Key: "stderr", Value: r.stderr}}
}

func notSupported(c *Call, name string) error {
	return cmdErr("%s=%s is not supported by this minion", name, py.Str(c.Arg(name)))
}

// runCmd is cmdmod._run: it prepares the command, its environment and
// working directory as Salt does, runs it in its own process group, and
// sets the job's retcode. A nil result with a nil error means the job's
// context ended and the command was killed. discardOutput is for
// cmd.retcode, whose output nobody reads.
func runCmd(c *Call, discardOutput bool) (*cmdResult, error) {
	for _, name := range []string{"template", "group", "umask"} {
		if c.Arg(name) != nil {
			return nil, notSupported(c, name)
		}
	}
	for _, name := range []string{"use_vt", "bg"} {
		if pyTruthy(c.Arg(name)) {
			return nil, notSupported(c, name)
		}
	}

	shell := c.exec.opts.Shell
	if shell == "" {
		shell = "/bin/sh"
	}
	if s := c.Arg("shell"); s != nil {
		shell = py.Str(s)
	}
	if fi, err := os.Stat(shell); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return nil, cmdErr("The shell %s is not available", shell)
	}

	// _python_shell_default: a published job (one with __pub_jid) runs
	// through the shell unless told otherwise.
	pythonShell := false
	if ps := c.Arg("python_shell"); ps != nil {
		pythonShell = pyTruthy(ps)
	} else if jid, ok := c.Kwargs.Get("__pub_jid"); ok && pyTruthy(jid) {
		pythonShell = true
	}

	var cred *syscall.Credential
	var runas *user.User
	if r := c.Arg("runas"); r != nil && py.Str(r) != "" {
		u, err := user.Lookup(py.Str(r))
		if err != nil {
			return nil, cmdErr("User '%s' is not available", py.Str(r))
		}
		runas = u
		if u.Uid != strconv.Itoa(os.Getuid()) {
			if os.Geteuid() != 0 {
				return nil, cmdErr("Cannot run as user '%s': the minion is not running as root", u.Username)
			}
			cred = credential(u)
		}
	}

	env, err := parseEnv(c.Arg("env"))
	if err != nil {
		return nil, err
	}
	if pyTruthy(c.Arg("reset_system_locale")) {
		for _, k := range []string{"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
			"LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT",
			"LC_IDENTIFICATION", "LANGUAGE"} {
			if !env.Has(k) {
				env.Set(k, "C")
			}
		}
	}
	if runas != nil {
		env.Set("USER", runas.Username)
		env.Set("HOME", runas.HomeDir)
	}
	var runEnv body.Map
	if !pyTruthy(c.Arg("clean_env")) {
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			runEnv.Set(k, v)
		}
	}
	for _, it := range env {
		runEnv.Set(it.Key, it.Value)
	}
	if pp := c.Arg("prepend_path"); pp != nil {
		path, _ := runEnv.String("PATH")
		runEnv.Set("PATH", py.Str(pp)+":"+path)
	}
	if !env.Has("NOTIFY_SOCKET") {
		runEnv.Delete("NOTIFY_SOCKET")
	}

	cwd := ""
	if d := c.Arg("cwd"); d != nil && py.Str(d) != "" {
		cwd = py.Str(d)
	} else {
		if runas != nil {
			cwd = runas.HomeDir
		} else if h := os.Getenv("HOME"); h != "" {
			cwd = h
		} else if u, err := user.Current(); err == nil {
			cwd = u.HomeDir
		}
		if cwd == "" || syscall.Access(cwd, 4 /* R_OK */) != nil {
			cwd = "/"
		}
	}
	if fi, err := os.Stat(cwd); !filepath.IsAbs(cwd) || err != nil || !fi.IsDir() {
		return nil, cmdErr("Specified cwd '%s' either not absolute or does not exist", cwd)
	}

	// The command: a string for the shell, or split as shlex does.
	var argv []string
	var shown string // how the command reads in Salt's messages
	switch cmd := c.Arg("cmd").(type) {
	case []any:
		for _, a := range cmd {
			argv = append(argv, py.Str(a))
		}
		shown = py.Repr(cmd)
		if pythonShell && len(argv) > 0 {
			argv = append([]string{shell, "-c"}, argv...)
		}
	default:
		s := py.Str(cmd)
		if pythonShell {
			argv, shown = []string{shell, "-c", s}, s
		} else {
			words, err := shlexSplit(s)
			if err != nil {
				return nil, err
			}
			argv = words
			shown = py.Repr(toAnyList(words))
		}
	}
	if len(argv) == 0 {
		return nil, &Exception{Type: "IndexError", Msg: "list index out of range"}
	}

	var stdin []byte
	if s := c.Arg("stdin"); s != nil {
		text := py.Str(s)
		if raw, _ := c.Kwargs.Get("stdin_raw_newlines"); !pyTruthy(raw) {
			text = strings.ReplaceAll(text, `\n`, "\n")
		}
		stdin = []byte(text)
	}

	var timeout time.Duration
	timeoutText := ""
	if t := c.Arg("timeout"); pyTruthy(t) {
		var secs float64
		if n, ok := body.AsInt64(t); ok {
			secs = float64(n)
		} else if f, ok := t.(float64); ok {
			secs = f
		} else {
			return nil, &Exception{Type: "salt.exceptions.TimedProcTimeoutError", Msg: "Error: timeout " + py.Str(t) + " must be a number"}
		}
		if secs > 0 {
			timeout = time.Duration(secs * float64(time.Second))
		}
		timeoutText = py.Str(t)
	}

	successRetcodes := []int64{0}
	if sr := c.Arg("success_retcodes"); sr != nil {
		successRetcodes = nil
		for _, v := range splitInput(sr) {
			n, err := pyInt(v)
			if err != nil {
				return nil, invocationErr("success_retcodes must be a list of integers")
			}
			successRetcodes = append(successRetcodes, n)
		}
	}
	successStdout := splitInput(c.Arg("success_stdout"))
	successStderr := splitInput(c.Arg("success_stderr"))

	cmd := &osexec.Cmd{Path: argv[0], Args: argv, Dir: cwd}
	if !strings.Contains(argv[0], "/") {
		// Popen looks the program up along the PATH of the environment it
		// is given, not the minion's.
		path, _ := runEnv.String("PATH")
		cmd.Path = lookPath(argv[0], path)
	}
	for _, it := range runEnv {
		cmd.Env = append(cmd.Env, it.Key+"="+py.Str(it.Value))
	}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	if !discardOutput {
		cmd.Stdout = &stdout
		if pyTruthy(c.Arg("redirect_stderr")) {
			cmd.Stderr = &stdout
		} else {
			cmd.Stderr = &stderr
		}
	}
	cmd.WaitDelay = 2 * time.Second

	if err := cmd.Start(); err != nil {
		return nil, cmdErr("Unable to run command '%s', reason: %s", shown, osErrorText(err, argv[0]))
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	kill := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	res := &cmdResult{pid: cmd.Process.Pid}
	select {
	case <-done:
	case <-timer:
		kill()
		res.timedOut = true
		res.stdout = shown + " : Timed out after " + timeoutText + " seconds"
		res.retcode = 1
		// Salt leaves the job's retcode at 0 here; a command that had to be
		// killed did not succeed, so the job says so.
		if !isTrue(c.Arg("ignore_retcode")) {
			c.SetRetcode(1)
		}
		return res, nil
	case <-c.Ctx.Done():
		kill()
		return nil, nil
	}

	res.retcode = exitCode(cmd.ProcessState)
	res.stdout = decodeOutput(stdout.Bytes())
	res.stderr = decodeOutput(stderr.Bytes())
	if pyTruthy(c.Arg("rstrip")) {
		res.stdout = strings.TrimRightFunc(res.stdout, py.IsSpace)
		res.stderr = strings.TrimRightFunc(res.stderr, py.IsSpace)
	}
	for _, ok := range successRetcodes {
		if int64(res.retcode) == ok {
			res.retcode = 0
		}
	}
	for _, s := range successStdout {
		if strings.Contains(res.stdout, py.Str(s)) {
			res.retcode = 0
		}
	}
	for _, s := range successStderr {
		if strings.Contains(res.stderr, py.Str(s)) {
			res.retcode = 0
		}
	}
	if isTrue(c.Arg("ignore_retcode")) {
		c.SetRetcode(0)
	} else {
		c.SetRetcode(res.retcode)
	}
	return res, nil
}

// parseEnv is cmdmod._parse_env, stricter: a mapping, or a list of
// one-entry mappings (repack_dictlist), becomes the variables to set; None
// values become "" and other values their str(). Salt silently ignores an
// env of any other type; here it is an error, so that env=FOO=bar typed on
// the command line does not run the command without FOO.
func parseEnv(v any) (body.Map, error) {
	out := body.Map{}
	add := func(m body.Map) {
		for _, it := range m {
			if it.Value == nil {
				out.Set(it.Key, "")
			} else {
				out.Set(it.Key, py.Str(it.Value))
			}
		}
	}
	switch x := v.(type) {
	case nil:
		return out, nil
	case body.Map:
		add(x)
	case map[string]any:
		add(sortedMap(x))
	case []any:
		for _, e := range x {
			m, ok := e.(body.Map)
			if gm, isMap := e.(map[string]any); isMap {
				m, ok = sortedMap(gm), true
			}
			if !ok {
				return nil, cmdErr("env must be a mapping of variable names to values, got %s", py.Repr(v))
			}
			add(m)
		}
	case string:
		if x == "" {
			return out, nil
		}
		return nil, cmdErr("env must be a mapping of variable names to values, got %s (write env='{\"NAME\": \"value\"}')", py.Repr(v))
	default:
		if !pyTruthy(v) {
			return out, nil
		}
		return nil, cmdErr("env must be a mapping of variable names to values, got %s", py.Repr(v))
	}
	return out, nil
}

func sortedMap(m map[string]any) body.Map {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(body.Map, 0, len(m))
	for _, k := range keys {
		out = append(out, body.Item{Key: k, Value: m[k]})
	}
	return out
}

// splitInput is salt.utils.args.split_input: a list as it is, a string
// split on commas and stripped, anything else alone in a list.
func splitInput(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case string:
		var out []any
		for _, p := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(p))
		}
		return out
	}
	return []any{v}
}

func credential(u *user.User) *syscall.Credential {
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := strconv.ParseUint(id, 10, 32); err == nil {
				cred.Groups = append(cred.Groups, uint32(g))
			}
		}
	}
	return cred
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
		msg := errno.Error()
		if msg != "" {
			r, size := utf8.DecodeRuneInString(msg)
			msg = string(unicode.ToUpper(r)) + msg[size:]
		}
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + msg + ": " + py.Quote(prog)
	}
	return err.Error()
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

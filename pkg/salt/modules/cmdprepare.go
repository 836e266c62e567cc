package modules

import (
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cmdSpec is a command as cmdmod._run prepares it, before anything runs:
// every argument of the call checked and turned into what the process
// needs, so that an invalid call fails without starting anything and the
// running half (cmdrun.go) reads no arguments of its own.
type cmdSpec struct {
	argv  []string
	shown string // how the command reads in Salt's messages
	dir   string
	env   body.Map // the whole environment of the command, in order
	cred  *syscall.Credential
	stdin []byte // nil: none

	timeout     time.Duration // 0: none
	timeoutText string        // the timeout as given, for the timed-out message

	redirectStderr bool
	rstrip         bool
	ignoreRetcode  bool
	success        successRule
}

// successRule is what makes a failed command count as a success:
// success_retcodes, success_stdout and success_stderr.
type successRule struct {
	retcodes []int64
	stdout   []any
	stderr   []any
}

// prepareCmd checks the call's arguments in the order cmdmod._run does,
// so the first complaint is Salt's, and builds the command to run.
func prepareCmd(c *Call) (*cmdSpec, error) {
	if err := checkSupported(c); err != nil {
		return nil, err
	}
	shell, err := cmdShell(c)
	if err != nil {
		return nil, err
	}
	runas, cred, err := cmdRunas(c)
	if err != nil {
		return nil, err
	}
	env, err := cmdEnv(c, runas)
	if err != nil {
		return nil, err
	}
	dir, err := cmdDir(c, runas)
	if err != nil {
		return nil, err
	}
	argv, shown, err := cmdArgv(c.Arg("cmd"), shell, pythonShell(c))
	if err != nil {
		return nil, err
	}
	timeout, timeoutText, err := cmdTimeout(c.Arg("timeout"))
	if err != nil {
		return nil, err
	}
	success, err := cmdSuccess(c)
	if err != nil {
		return nil, err
	}
	return &cmdSpec{
		argv: argv, shown: shown, dir: dir, env: env, cred: cred, stdin: cmdStdin(c),
		timeout: timeout, timeoutText: timeoutText,
		redirectStderr: pyTruthy(c.Arg("redirect_stderr")),
		rstrip:         pyTruthy(c.Arg("rstrip")),
		ignoreRetcode:  isTrue(c.Arg("ignore_retcode")),
		success:        success,
	}, nil
}

// checkSupported refuses the arguments this minion does not implement,
// rather than running the command without them.
func checkSupported(c *Call) error {
	for _, name := range []string{"template", "group", "umask"} {
		if c.Arg(name) != nil {
			return notSupported(c, name)
		}
	}
	for _, name := range []string{"use_vt", "bg"} {
		if pyTruthy(c.Arg(name)) {
			return notSupported(c, name)
		}
	}
	return nil
}

func notSupported(c *Call, name string) error {
	return cmdErr("%s=%s is not supported by this minion", name, py.Str(c.Arg(name)))
}

// cmdShell is the shell argument, else the minion's, else /bin/sh; it
// must be an executable file.
func cmdShell(c *Call) (string, error) {
	shell := c.exec.opts.Shell
	if shell == "" {
		shell = "/bin/sh"
	}
	if s := c.Arg("shell"); s != nil {
		shell = py.Str(s)
	}
	if fi, err := os.Stat(shell); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", cmdErr("The shell %s is not available", shell)
	}
	return shell, nil
}

// pythonShell is _python_shell_default: a published job (one with
// __pub_jid) runs through the shell unless told otherwise.
func pythonShell(c *Call) bool {
	if ps := c.Arg("python_shell"); ps != nil {
		return pyTruthy(ps)
	}
	jid, ok := c.Kwargs.Get("__pub_jid")
	return ok && pyTruthy(jid)
}

// cmdRunas looks up the runas user; the credential is nil when the
// command runs as the minion's own user.
func cmdRunas(c *Call) (*user.User, *syscall.Credential, error) {
	r := c.Arg("runas")
	if r == nil || py.Str(r) == "" {
		return nil, nil, nil
	}
	u, err := user.Lookup(py.Str(r))
	if err != nil {
		return nil, nil, cmdErr("User '%s' is not available", py.Str(r))
	}
	if u.Uid == strconv.Itoa(os.Getuid()) {
		return u, nil, nil
	}
	if os.Geteuid() != 0 {
		return nil, nil, cmdErr("Cannot run as user '%s': the minion is not running as root", u.Username)
	}
	return u, credential(u), nil
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

// localeVars are what reset_system_locale sets to C unless env sets them.
var localeVars = []string{"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
	"LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT",
	"LC_IDENTIFICATION", "LANGUAGE"}

// cmdEnv is the command's whole environment: the minion's (unless
// clean_env), then env with the locale reset and runas's USER and HOME,
// then prepend_path; the minion's NOTIFY_SOCKET is not passed on.
func cmdEnv(c *Call, runas *user.User) (body.Map, error) {
	env, err := parseEnv(c.Arg("env"))
	if err != nil {
		return nil, err
	}
	if pyTruthy(c.Arg("reset_system_locale")) {
		for _, k := range localeVars {
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
	return runEnv, nil
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
	keys := slices.Sorted(maps.Keys(m))
	out := make(body.Map, 0, len(m))
	for _, k := range keys {
		out = append(out, body.Item{Key: k, Value: m[k]})
	}
	return out
}

// cmdDir is the cwd argument, else the home of runas or of the minion if
// readable, else /; it must be an absolute path to a directory.
func cmdDir(c *Call, runas *user.User) (string, error) {
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
		return "", cmdErr("Specified cwd '%s' either not absolute or does not exist", cwd)
	}
	return cwd, nil
}

// cmdArgv is the argument vector: a string for the shell, or split as
// shlex does; a list as it is, behind the shell with python_shell. shown
// is how the command reads in Salt's messages.
func cmdArgv(cmd any, shell string, viaShell bool) (argv []string, shown string, err error) {
	switch cmd := cmd.(type) {
	case []any:
		for _, a := range cmd {
			argv = append(argv, py.Str(a))
		}
		shown = py.Repr(cmd)
		if viaShell && len(argv) > 0 {
			argv = append([]string{shell, "-c"}, argv...)
		}
	default:
		s := py.Str(cmd)
		if viaShell {
			argv, shown = []string{shell, "-c", s}, s
		} else {
			words, err := shlexSplit(s)
			if err != nil {
				return nil, "", err
			}
			argv = words
			shown = py.Repr(toAnyList(words))
		}
	}
	if len(argv) == 0 {
		return nil, "", &Exception{Type: "IndexError", Msg: "list index out of range"}
	}
	return argv, shown, nil
}

// cmdStdin is the stdin argument, with the CLI's literal \n made newlines
// unless stdin_raw_newlines.
func cmdStdin(c *Call) []byte {
	s := c.Arg("stdin")
	if s == nil {
		return nil
	}
	text := py.Str(s)
	if raw, _ := c.Kwargs.Get("stdin_raw_newlines"); !pyTruthy(raw) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	return []byte(text)
}

// cmdTimeout reads the timeout in seconds, an int or a float; a false one
// means none.
func cmdTimeout(t any) (time.Duration, string, error) {
	if !pyTruthy(t) {
		return 0, "", nil
	}
	var secs float64
	if n, ok := body.AsInt64(t); ok {
		secs = float64(n)
	} else if f, ok := t.(float64); ok {
		secs = f
	} else {
		return 0, "", &Exception{Type: "salt.exceptions.TimedProcTimeoutError", Msg: "Error: timeout " + py.Str(t) + " must be a number"}
	}
	var timeout time.Duration
	if secs > 0 {
		timeout = time.Duration(secs * float64(time.Second))
	}
	return timeout, py.Str(t), nil
}

// cmdSuccess reads success_retcodes (default [0]), success_stdout and
// success_stderr.
func cmdSuccess(c *Call) (successRule, error) {
	rule := successRule{
		retcodes: []int64{0},
		stdout:   splitInput(c.Arg("success_stdout")),
		stderr:   splitInput(c.Arg("success_stderr")),
	}
	if sr := c.Arg("success_retcodes"); sr != nil {
		rule.retcodes = nil
		for _, v := range splitInput(sr) {
			n, err := pyInt(v)
			if err != nil {
				return successRule{}, invocationErr("success_retcodes must be a list of integers")
			}
			rule.retcodes = append(rule.retcodes, n)
		}
	}
	return rule, nil
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

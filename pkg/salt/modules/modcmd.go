package modules

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
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

func cmdFuncs() []Func {
	return slices.Concat(cmdRunFuncs(), cmdWhichFuncs(), cmdScriptFuncs(), cmdExecFuncs())
}

// cmdRunFuncs are run, shell, run_all, run_stdout, run_stderr and retcode.
func cmdRunFuncs() []Func {
	return []Func{
		{
			Name: "cmd.run", Params: cmdParams(true), VarKwargs: true,
			Doc: cmdDoc("cmd.run"),
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
			Doc: cmdDoc("cmd.shell"),
			Call: func(c *Call) (any, error) {
				if _, given := c.Kwargs.Get("python_shell"); !given && c.Arg("python_shell") == nil {
					c.named["python_shell"] = true
				}
				return runOutput(c, false)
			},
		},
		{
			Name: "cmd.run_all", Params: cmdParams(false), VarKwargs: true,
			Doc: cmdDoc("cmd.run_all"),
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
			Doc: cmdDoc("cmd.run_stdout"),
			Call: func(c *Call) (any, error) {
				return runOutput(c, false)
			},
		},
		{
			Name: "cmd.run_stderr", Params: cmdParams(false), VarKwargs: true,
			Doc: cmdDoc("cmd.run_stderr"),
			Call: func(c *Call) (any, error) {
				return runOutput(c, true)
			},
		},
		{
			Name: "cmd.retcode", Params: cmdParams(true), VarKwargs: true,
			Doc: cmdDoc("cmd.retcode"),
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

// runCmd is cmdmod._run: it prepares the command, its environment and
// working directory as Salt does (cmdprepare.go), then runs it in its own
// process group and sets the job's retcode (cmdrun.go). A nil result with
// a nil error means the job's context ended and the command was killed.
// discardOutput is for cmd.retcode, whose output nobody reads.
func runCmd(c *Call, discardOutput bool) (*cmdResult, error) {
	spec, err := prepareCmd(c)
	if err != nil {
		return nil, err
	}
	return spec.run(c, discardOutput)
}

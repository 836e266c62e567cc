package modules

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cmd.script and cmd.exec_code write what they run to a temporary file and
// run it with cmd.run_all's machinery (a call of cmd.run_all, as Salt's
// functions call _run), so every cmd argument behaves as it does there.

// scriptParams is cmd.script's signature (cmdmod.py, 3006); script_retcode
// has the same names with template defaulting to jinja.
func scriptParams(template any) []Param {
	return []Param{
		{Name: "source", Required: true}, {Name: "args"}, {Name: "cwd"}, {Name: "stdin"}, {Name: "runas"}, {Name: "group"},
		{Name: "shell"}, {Name: "python_shell"}, {Name: "env"}, {Name: "template", Default: template},
		{Name: "umask"}, {Name: "output_encoding"}, {Name: "output_loglevel", Default: "debug"}, {Name: "log_callback"},
		{Name: "hide_output", Default: false}, {Name: "timeout"}, {Name: "reset_system_locale", Default: true},
		{Name: "saltenv"}, {Name: "use_vt", Default: false}, {Name: "bg", Default: false}, {Name: "password"},
		{Name: "success_retcodes"}, {Name: "success_stdout"}, {Name: "success_stderr"},
	}
}

// scriptRunArgs are the arguments cmd.script passes on to _run.
var scriptRunArgs = []string{"cwd", "stdin", "output_encoding", "output_loglevel", "log_callback", "runas", "group",
	"shell", "env", "umask", "timeout", "reset_system_locale", "saltenv", "use_vt", "bg", "password",
	"success_retcodes", "success_stdout", "success_stderr"}

func cmdScriptFuncs() []Func {
	return []Func{
		{
			Name: "cmd.script", Params: scriptParams(nil), VarKwargs: true,
			Doc: "Download a script from a remote location and execute the script locally.\nThe script can be located on the salt master file server or on an HTTP/FTP\nserver.\n\n" +
				"The script will be executed directly, so it can be written in any available\nprogramming language.\n\n" +
				":param str source: The location of the script to download. If the file is\n    located on the master in the directory named spam, and is called eggs,\n    the source string is salt://spam/eggs\n\n" +
				":param str args: String of command line args to pass to the script. Only\n    used if no args are specified as part of the `name` argument.\n\n" +
				":param str template: If this setting is applied then the named templating\n    engine will be used to render the downloaded file. Currently jinja is\n    supported.\n\n" +
				"cwd, stdin, runas, shell, python_shell, env, timeout, hide_output, saltenv and\nsuccess_retcodes/success_stdout/success_stderr are those of cmd.run_all.\n\n" +
				"CLI Example:\n\n    salt '*' cmd.script salt://scripts/runme.sh\n    salt '*' cmd.script salt://scripts/runme.sh 'arg1 arg2 \"arg 3\"'",
			Call: func(c *Call) (any, error) { return cmdScript(c) },
		},
		{
			Name: "cmd.script_retcode", Params: scriptParams("jinja"), VarKwargs: true,
			Doc: "Run :py:func:`cmd.script <salt.modules.cmdmod.script>` and return only the\nreturn code of the script.\n\n" +
				"Only evaluate the script return code and do not block for terminal output\n\n" +
				":param str source: The location of the script to download.\n\n:param str args: String of command line args to pass to the script.\n\n" +
				"CLI Example:\n\n    salt '*' cmd.script_retcode salt://scripts/runme.sh",
			Call: func(c *Call) (any, error) {
				ret, err := cmdScript(c)
				if err != nil || isCancelled(ret) {
					return ret, err
				}
				v, _ := ret.Get("retcode")
				return v, nil
			},
		},
	}
}

// cacheError is cmd.script's return when the source could not be fetched.
func cacheError() body.Map {
	return body.Map{{Key: "pid", Value: 0}, {Key: "retcode", Value: 1}, {Key: "stdout", Value: ""},
		{Key: "stderr", Value: ""}, {Key: "cache_error", Value: true}}
}

// cmdScript is cmd.script: the source fetched (rendered with template=)
// into a temporary file beside cwd, made 0500 and owned by runas, run with
// args through the shell for a published job, and removed.
func cmdScript(c *Call) (body.Map, error) {
	env := c.saltenvArg()
	source := c.strArg("source")
	rel, _, _ := fileclient.ParseURL(source)
	f, err := os.CreateTemp(c.strArg("cwd"), "__salt.tmp.*"+filepath.Ext(rel))
	if err != nil {
		return nil, &Exception{Type: "OSError", Msg: err.Error()}
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	if ok, err := fetchScript(c, source, path, env); err != nil || !ok {
		return cacheError(), err
	}
	if err := os.Chmod(path, 0o500); err != nil {
		return nil, &Exception{Type: "OSError", Msg: err.Error()}
	}
	if r := c.strArg("runas"); r != "" {
		if err := chownToUser(path, r); err != nil {
			return nil, err
		}
	}
	cmd := py.ShlexQuote(path)
	if a := c.Arg("args"); pyTruthy(a) {
		cmd += " " + py.Str(a)
	}
	kw := body.Map{{Key: "__kwarg__", Value: true}, {Key: "python_shell", Value: pythonShell(c)}}
	for _, name := range scriptRunArgs {
		kw = append(kw, body.Item{Key: name, Value: c.Arg(name)})
	}
	kw = append(kw, cleanKwargs(c.Kwargs)...)
	ret, err := c.crossCall("cmd.run_all", []any{cmd, kw})
	m, ok := ret.(body.Map)
	if err != nil || !ok {
		return nil, err
	}
	if pyTruthy(c.Arg("hide_output")) {
		m.Set("stdout", "")
		m.Set("stderr", "")
	}
	return m, nil
}

// fetchScript puts the script at path: rendered with template=, or a
// copy of the cached file (a local path is used as it is). False when the
// file could not be had, which cmd.script reports as a cache error.
func fetchScript(c *Call, source, path, env string) (bool, error) {
	if c.files() == nil {
		if strings.Contains(source, "://") {
			return false, nil
		}
		return copyFile(source, path) == nil, nil
	}
	if t := c.strArg("template"); t != "" {
		out, err := getTemplate(c, source, path, t, env, false)
		return out != "", err
	}
	cached, err := c.files().CacheFile(c.Ctx, source, env)
	if err != nil || cached == "" {
		return false, fileErr(err)
	}
	if err := copyFile(cached, path); err != nil {
		return false, &Exception{Type: "OSError", Msg: err.Error()}
	}
	return true, nil
}

// copyFile is shutil.copyfile for a script: dst's contents become src's.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}

// chownToUser gives path to the user runas, so a command run as them can
// read it (os.chown(path, file.user_to_uid(runas), -1)).
func chownToUser(path, runas string) error {
	u, err := user.Lookup(runas)
	if err != nil {
		return cmdErr("User '%s' is not available", runas)
	}
	uid, _ := strconv.Atoi(u.Uid)
	if err := os.Chown(path, uid, -1); err != nil {
		return &Exception{Type: "PermissionError", Msg: err.Error()}
	}
	return nil
}

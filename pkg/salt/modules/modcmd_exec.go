package modules

import (
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

const execCodeDoc = "Pass in two strings, the first naming the executable language, aka -\npython2, python3, ruby, perl, lua, etc. the second string containing\nthe code you wish to execute. "

func cmdExecFuncs() []Func {
	params := []Param{{Name: "lang", Required: true}, {Name: "code", Required: true}, {Name: "cwd"}, {Name: "args"}}
	return []Func{
		{
			Name: "cmd.exec_code", Params: params, VarKwargs: true,
			Doc: execCodeDoc + "The stdout will be returned.\n\nAll parameters from cmd.run_all except python_shell can be used.\n\n" +
				"CLI Example:\n\n    salt '*' cmd.exec_code ruby 'puts \"cheese\"'\n    salt '*' cmd.exec_code ruby 'puts \"cheese\"' args='[\"arg1\", \"arg2\"]' env='{\"FOO\": \"bar\"}'",
			Call: func(c *Call) (any, error) {
				ret, err := execCodeAll(c)
				if err != nil || isCancelled(ret) {
					return ret, err
				}
				v, _ := ret.(body.Map).Get("stdout")
				return v, nil
			},
		},
		{
			Name: "cmd.exec_code_all", Params: params, VarKwargs: true,
			Doc: execCodeDoc + "All cmd artifacts (stdout, stderr, retcode, pid)\nwill be returned.\n\nAll parameters from cmd.run_all except python_shell can be used.\n\n" +
				"CLI Example:\n\n    salt '*' cmd.exec_code_all ruby 'puts \"cheese\"'\n    salt '*' cmd.exec_code_all ruby 'puts \"cheese\"' args='[\"arg1\", \"arg2\"]' env='{\"FOO\": \"bar\"}'",
			Call: execCodeAll,
		},
	}
}

// execCodeAll is cmd.exec_code_all: code written to a temporary file run
// as [lang, file, args...] without a shell, with the other keyword
// arguments given to cmd.run_all.
func execCodeAll(c *Call) (any, error) {
	lang := py.Str(c.Arg("lang"))
	suffix := ""
	if strings.HasPrefix(strings.ToLower(lang), "powershell") {
		suffix = ".ps1"
	}
	f, err := os.CreateTemp("", "__salt.tmp.*"+suffix)
	if err != nil {
		return nil, &Exception{Type: "OSError", Msg: err.Error()}
	}
	defer os.Remove(f.Name())
	_, werr := f.WriteString(py.Str(c.Arg("code")))
	if cerr := f.Close(); werr != nil || cerr != nil {
		return nil, &Exception{Type: "OSError", Msg: "cannot write " + f.Name()}
	}
	cmd := []any{lang, f.Name()}
	if suffix != "" {
		cmd = []any{lang, "-File", f.Name()}
	}
	switch a := c.Arg("args").(type) {
	case string:
		cmd = append(cmd, a)
	case []any:
		cmd = append(cmd, a...)
	}
	if r := c.strArg("runas"); r != "" {
		if err := chownToUser(f.Name(), r); err != nil {
			return nil, err
		}
	}
	if c.Kwargs.Has("python_shell") {
		return nil, typeErr("run_all() got multiple values for keyword argument 'python_shell'")
	}
	kw := body.Map{{Key: "__kwarg__", Value: true}, {Key: "cwd", Value: c.Arg("cwd")}, {Key: "python_shell", Value: false}}
	return c.crossCall("cmd.run_all", []any{cmd, append(kw, cleanKwargs(c.Kwargs)...)})
}

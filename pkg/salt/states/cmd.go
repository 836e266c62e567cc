package states

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The cmd states (salt/states/cmd.py) run commands through the minion's
// cmd execution module, so a command runs exactly as cmd.run_all runs it.

func registerCmd(r state.Registry) {
	r["cmd.run"] = cmdRun
	r["cmd.wait"] = cmdWait
	r["cmd.watch"] = cmdWait
	r["cmd.script"] = cmdScript
	r["cmd.wait_script"] = cmdWait
	r["cmd.mod_watch"] = cmdModWatch
}

// cmdWait does nothing: only a watch requisite runs it (mod_watch).
func cmdWait(_ context.Context, c *state.Call) state.Ret {
	return newRet(c.Low.Name, &yes)
}

// cmdKwargs is the state's **kwargs passed on to the execution function,
// the state system's own keywords left out.
func cmdKwargs(c *state.Call, drop ...string) map[string]any {
	kw := map[string]any{}
	for _, it := range c.Low.Args {
		if !stateKeywords[it.Key] && it.Key != "stateful" && it.Key != "ignore_timeout" && it.Key != "root" {
			kw[it.Key] = it.Value
		}
	}
	for _, d := range drop {
		delete(kw, d)
	}
	if kw["shell"] == nil {
		kw["shell"] = defaultShell(c.Env)
	}
	return kw
}

// defaultShell is __grains__["shell"].
func defaultShell(env *state.Env) string {
	if s, ok := env.Grains["shell"].(string); ok && s != "" {
		return s
	}
	return "/bin/sh"
}

// envValid is Salt's check that env is a list or a dict.
func envValid(v any) bool {
	switch v.(type) {
	case nil, []any, body.Map, map[string]any:
		return true
	}
	return false
}

// stateful reads the stateful argument: true, or a list whose first item
// names a test_name run instead under test=True.
func stateful(a args) (bool, string) {
	switch v := a.get("stateful").(type) {
	case bool:
		return v, ""
	case []any:
		if len(v) > 0 {
			if m, ok := v[0].(body.Map); ok {
				if t, ok := m.String("test_name"); ok {
					return true, t
				}
			}
		}
		return true, ""
	}
	return false, ""
}

// cmdPrelude is what cmd.run and cmd.script check before running: the
// name (stateful's test_name under test), env's shape, test=True's
// prediction (predicted), and the working directory. done is true with
// the ret to return.
func cmdPrelude(c *state.Call, predicted func(name string, ret *state.Ret)) (name string, isStateful bool, ret state.Ret, done bool) {
	a := argsOf(c)
	name = c.Low.Name
	isStateful, testName := stateful(a)
	if c.Test && testName != "" {
		name = testName
	}
	ret = newRet(name, &no)
	if !envValid(a.get("env")) {
		ret.Comment = "Invalidly-formatted 'env' parameter. See documentation."
		return name, isStateful, ret, true
	}
	if c.Test && testName == "" {
		ret.Result = nil
		predicted(name, &ret)
		if isStateful {
			ret = reinterpreted(ret)
		}
		return name, isStateful, ret, true
	}
	if cwd := a.str("cwd", ""); cwd != "" && !isDir(cwd) {
		ret.Comment = fmt.Sprintf("Desired working directory \"%s\" is not available", cwd)
		return name, isStateful, ret, true
	}
	return name, isStateful, ret, false
}

// finishCmd reads stateful output and makes a command that changed
// something under test=True (a stateful test_name run) report None.
func finishCmd(c *state.Call, ret state.Ret, isStateful bool, rc int64) state.Ret {
	if isStateful {
		ret = reinterpreted(ret)
	}
	if c.Test && rc == 0 && len(ret.Changes) > 0 {
		ret.Result = nil
	}
	return ret
}

func cmdRun(ctx context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	name, isStateful, ret, done := cmdPrelude(c, func(name string, ret *state.Ret) {
		ret.Comment = fmt.Sprintf("Command \"%s\" would have been executed", name)
		ret.Changes = body.Map{{Key: "cmd", Value: name}}
	})
	if done {
		return ret
	}
	kw := cmdKwargs(c)
	kw["cmd"], kw["python_shell"] = name, true
	out, err := c.Env.Modules("cmd.run_all", nil, kw)
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	all := asMap(out)
	ret.Changes = all
	rc, _ := all.Int("retcode")
	ret.Result = boolp(rc == 0)
	ret.Comment = fmt.Sprintf("Command \"%s\" run", name)
	if a.isTrue("ignore_timeout") && rc == 1 {
		if so, _ := all.String("stdout"); strings.Contains(so, "Timed out after") {
			ret.Changes.Set("retcode", int64(0))
			ret.Result = &yes
		}
	}
	return finishCmd(c, ret, isStateful, rc)
}

// asMap is an execution function's dict return as a body.Map.
func asMap(v any) body.Map {
	switch x := v.(type) {
	case body.Map:
		return x
	case *body.Map:
		return *x
	case map[string]any:
		m := body.Map{}
		for k, val := range x {
			m.Set(k, val)
		}
		return m
	}
	return body.Map{}
}

func cmdScript(ctx context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	name, isStateful, ret, done := cmdPrelude(c, func(name string, ret *state.Ret) {
		ret.Comment = fmt.Sprintf("Command '%s' would have been executed", name)
	})
	if done {
		return ret
	}
	source := a.str("source", name)
	scriptArgs := a.str("args", "")
	if scriptArgs == "" {
		if _, rest, ok := strings.Cut(name, " "); ok && len(strings.Fields(name)) > 1 {
			scriptArgs = rest
		}
	}
	all, err := runScript(c, source, scriptArgs)
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	ret.Changes = all
	rc, _ := all.Int("retcode")
	ret.Result = boolp(rc == 0)
	if all.Has("cache_error") {
		ret.Comment = fmt.Sprintf("Unable to cache script %s from saltenv '%s'", source, c.Low.Env)
	} else {
		ret.Comment = fmt.Sprintf("Command '%s' run", name)
	}
	return finishCmd(c, ret, isStateful, rc)
}

// runScript is cmdmod.script: the source is cached from the file server
// (or read locally), copied to a private temporary file made executable,
// and run with its arguments through cmd.run_all. A source that cannot be
// cached returns {"pid": 0, "retcode": 1, "stdout": "", "stderr": "",
// "cache_error": True}, as Salt does.
func runScript(c *state.Call, source, scriptArgs string) (body.Map, error) {
	saltenv := c.Low.Env
	if saltenv == "" {
		saltenv = c.Env.Saltenv
	}
	cached := source
	if strings.Contains(source, "://") {
		out, err := c.Env.Modules("cp.cache_file", []any{source, saltenv}, nil)
		cached, _ = out.(string)
		if err != nil || cached == "" {
			return cacheError(), nil
		}
	}
	text, err := os.ReadFile(cached)
	if err != nil {
		return cacheError(), nil
	}
	dir, err := os.MkdirTemp("", "__salt.tmp.")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, filepath.Base(cached))
	if err := os.WriteFile(path, text, 0o700); err != nil {
		return nil, err
	}
	kw := cmdKwargs(c, "source", "args", "template", "context", "defaults")
	cmdline := shellQuote(path)
	if scriptArgs != "" {
		cmdline += " " + scriptArgs
	}
	kw["cmd"], kw["python_shell"] = cmdline, true
	out, err := c.Env.Modules("cmd.run_all", nil, kw)
	if err != nil {
		return nil, err
	}
	return asMap(out), nil
}

// cacheError is cmd.script's return for a source it could not cache.
func cacheError() body.Map {
	return body.Map{{Key: "pid", Value: int64(0)}, {Key: "retcode", Value: int64(1)},
		{Key: "stdout", Value: ""}, {Key: "stderr", Value: ""}, {Key: "cache_error", Value: true}}
}

// shellQuote is shlex.quote.
func shellQuote(s string) string { return py.ShlexQuote(s) }

// watchedFun is the function of the state a mod_watch call stands for:
// the runtime calls mod_watch with it as the sfun argument, as Salt does;
// a call made straight to the state's own function has it as Fun.
func watchedFun(c *state.Call) string {
	if s, ok := c.Low.Args.String("sfun"); ok && s != "" {
		return s
	}
	return c.Low.Fun
}

// cmdModWatch is cmd.mod_watch: a watch requisite that fired runs the
// watching cmd.wait/cmd.run (or its script).
func cmdModWatch(ctx context.Context, c *state.Call) state.Ret {
	switch sfun := watchedFun(c); sfun {
	case "wait", "run", "watch":
		return cmdRun(ctx, c)
	case "wait_script", "script":
		return cmdScript(ctx, c)
	default:
		r := failRet(c.Low.Name, fmt.Sprintf("cmd.%s does not work with the watch requisite, please use cmd.wait or cmd.wait_script", sfun))
		r.Order = calledOrder
		return r
	}
}

// reinterpreted is cmd's _reinterpreted_state for stateful commands: the
// command's last line of output (or JSON object) says whether it changed
// anything and what the comment is.
func reinterpreted(ret state.Ret) state.Ret {
	out := ret.Changes
	ret.Changes, ret.Comment = body.Map{}, ""
	stdout, _ := out.String("stdout")
	if stdout == "" {
		if se, _ := out.String("stderr"); se != "" {
			ret.Comment = se
		}
		return ret
	}
	data, isJSON, idx, ok := statefulData(stdout)
	if !ok {
		ret.Result = &no
		if isJSON {
			ret.Comment = "script JSON output must be a JSON object (e.g., {})!"
			return ret
		}
		ret.Comment = "Failed parsing script output! Stdout must be JSON or a line of name=value pairs."
		ret.Changes = out
		return ret
	}
	changedVal, _ := data.Get("changed")
	if changedVal == nil {
		changedVal = "no"
	}
	changed := strings.ToLower(pyStr(changedVal))
	if c, has := data.Get("comment"); has {
		ret.Comment = pyStr(c)
		data.Delete("comment")
	}
	if changed == "true" || changed == "yes" || changed == "1" {
		for _, it := range out {
			if !data.Has(it.Key) {
				data.Set(it.Key, it.Value)
			}
		}
		if isJSON {
			data.Set("stdout", "")
		} else {
			so, _ := data.String("stdout")
			data.Set("stdout", pySliceTo(so, idx))
		}
		ret.Changes = data
	}
	return ret
}

// statefulData parses a stateful command's stdout: a JSON object, else
// name=value pairs on its last line (idx is where that line starts).
func statefulData(stdout string) (data body.Map, isJSON bool, idx int, ok bool) {
	var v any
	if json.Unmarshal([]byte(stdout), &v) == nil {
		dec, err := body.DecodeJSON([]byte(stdout))
		m, isMap := dec.(body.Map)
		return m, true, 0, err == nil && isMap
	}
	idx = strings.LastIndex(strings.TrimRight(stdout, " \t\r\n"), "\n")
	last := stdout
	if idx != -1 {
		last = stdout[idx+1:]
	}
	items, err := py.ShlexSplit(last)
	if err != nil {
		return nil, false, idx, false
	}
	data = body.Map{}
	for _, item := range items {
		k, val, found := strings.Cut(item, "=")
		if !found || strings.Contains(val, "=") {
			return nil, false, idx, false
		}
		data.Set(k, val)
	}
	return data, false, idx, true
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// pySliceTo is Python's s[:i], a negative i counting from the end.
func pySliceTo(s string, i int) string {
	if i < 0 {
		i += len(s)
	}
	return s[:max(0, min(i, len(s)))]
}

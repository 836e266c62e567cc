package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cmdOptArgs are the state arguments Salt hands on to the cmd.retcode of
// an unless/onlyif command (_run_check's POSSIBLE_CMD_ARGS).
var cmdOptArgs = []string{"cwd", "root", "runas", "env", "prepend_path", "umask", "timeout", "success_retcodes"}

// checkRet starts a check's return: result False and the chunk's sls, ID
// and name.
func checkRet(c *chunk) body.Map {
	return body.Map{
		{Key: "result", Value: false},
		{Key: "__sls__", Value: slsValue(c.low.SLS)},
		{Key: "__id__", Value: c.low.ID},
		{Key: "name", Value: c.low.Name},
	}
}

// runCheck is Salt's _run_check: onlyif, unless and creates, each able
// to say the state need not run (result True, skip_watch).
func (r *runner) runCheck(ctx context.Context, c *chunk) (body.Map, error) {
	ret := body.Map{{Key: "result", Value: false}, {Key: "comment", Value: []string{}}}
	for _, k := range []string{"__sls__", "__id__", "name"} {
		ret.Set(k, retryGet(checkRet(c), k))
	}
	var comments []string
	opts := r.cmdOpts(c)
	for _, k := range []string{"onlyif", "unless", "creates"} {
		v, ok := c.low.Args.Get(k)
		if !ok {
			continue
		}
		var one body.Map
		var err error
		switch k {
		case "onlyif":
			one, err = r.checkOnlyif(ctx, c, v, opts)
		case "unless":
			one, err = r.checkUnless(ctx, c, v, opts)
		default:
			one = checkCreates(c, v)
		}
		if err != nil {
			return nil, err
		}
		res, _ := one.Get("result")
		if k == "onlyif" {
			ret.Set("result", res)
		} else {
			prev, _ := ret.Get("result")
			ret.Set("result", py.Truthy(res) || py.Truthy(prev))
		}
		comments = append(comments, fmt.Sprint(retryGet(one, "comment")))
		if sw, ok := one.Get("skip_watch"); ok {
			if k != "onlyif" {
				sw = py.Truthy(sw) || py.Truthy(retryGet(ret, "skip_watch"))
			}
			ret.Set("skip_watch", sw)
		}
	}
	ret.Set("comment", strings.Join(comments, "\n"))
	return ret, nil
}

// cmdOpts are the cmd.retcode keyword arguments of a check command: the
// state's own cmd arguments (less cmd_opts_exclude) and its shell, else
// the shell grain.
func (r *runner) cmdOpts(c *chunk) map[string]any {
	exclude := map[string]bool{}
	if v, ok := c.low.Args.Get("cmd_opts_exclude"); ok {
		items, isList := py.ListItems(v)
		if !isList {
			items = []any{v}
		}
		for _, it := range items {
			exclude[py.Str(it)] = true
		}
	}
	opts := map[string]any{}
	for _, k := range cmdOptArgs {
		if v, ok := c.low.Args.Get(k); ok && !exclude[k] && v != nil {
			opts[k] = v
		}
	}
	if v, ok := c.low.Args.Get("shell"); ok && !exclude["shell"] {
		opts["shell"] = v
	} else if v, ok := r.o.Env.Grains["shell"]; ok {
		opts["shell"] = v
	}
	return opts
}

// retcode runs a check command through cmd.retcode; ok is false when the
// command could not be run at all.
func (r *runner) retcode(cmd string, opts map[string]any) (int64, bool) {
	if r.o.Env.Modules == nil {
		return 0, false
	}
	kw := map[string]any{"ignore_retcode": true, "python_shell": true}
	for k, v := range opts {
		kw[k] = v
	}
	out, err := r.o.Env.Modules("cmd.retcode", []any{cmd}, kw)
	if err != nil {
		return 0, false
	}
	n, ok := body.AsInt64(out)
	return n, ok
}

// checkOnlyif is Salt's _run_check_onlyif: every command must succeed
// (every function return truly) for the state to run.
func (r *runner) checkOnlyif(ctx context.Context, c *chunk, v any, opts map[string]any) (body.Map, error) {
	ret := checkRet(c)
	isFalse := func() body.Map {
		update(&ret, body.Map{{Key: "comment", Value: "onlyif condition is false"}, {Key: "skip_watch", Value: true}, {Key: "result", Value: true}})
		return ret
	}
	for _, entry := range checkList(v) {
		switch e := entry.(type) {
		case string:
			code, ok := r.retcode(e, opts)
			if !ok {
				code = 100
			}
			if code != 0 {
				if res, _ := ret.Get("result"); res == false {
					return isFalse(), nil
				}
				continue
			}
		default:
			out, why, err := r.checkEntry("onlyif", entry)
			switch {
			case err != nil:
				return nil, err
			case why == errBadType:
				update(&ret, body.Map{{Key: "comment", Value: "onlyif execution failed, bad type passed"}, {Key: "result", Value: false}})
				return ret, nil
			case why != "":
				ret.Set("comment", why)
				return ret, nil
			case !py.Truthy(out):
				return isFalse(), nil
			}
		}
		update(&ret, body.Map{{Key: "comment", Value: "onlyif condition is true"}, {Key: "result", Value: false}})
	}
	return ret, nil
}

// checkUnless is Salt's _run_check_unless: the state runs unless every
// command succeeds (every function returns truly).
func (r *runner) checkUnless(ctx context.Context, c *chunk, v any, opts map[string]any) (body.Map, error) {
	ret := checkRet(c)
	isTrue := body.Map{{Key: "comment", Value: "unless condition is true"}, {Key: "skip_watch", Value: true}, {Key: "result", Value: true}}
	isFalse := body.Map{{Key: "comment", Value: "unless condition is false"}, {Key: "result", Value: false}}
	for _, entry := range checkList(v) {
		switch e := entry.(type) {
		case string:
			code, ok := r.retcode(e, opts)
			if !ok {
				code = 0
			}
			if code == 0 {
				update(&ret, isTrue)
				continue
			}
			ret.Delete("skip_watch")
			update(&ret, isFalse)
			return ret, nil
		default:
			out, why, err := r.checkEntry("unless", entry)
			switch {
			case err != nil:
				return nil, err
			case why == errBadType:
				update(&ret, body.Map{{Key: "comment", Value: "unless condition is false, bad type passed"}, {Key: "result", Value: false}})
			case why != "":
				ret.Set("comment", why)
				return ret, nil
			case !py.Truthy(out):
				update(&ret, isFalse)
				return ret, nil
			default:
				update(&ret, isTrue)
			}
		}
	}
	return ret, nil
}

// errBadType is checkEntry's why for an entry that is neither a command
// nor a dict.
const errBadType = "bad type"

// checkEntry runs an unless/onlyif entry that is not a command: what the
// function returned, or why it could not be called (errBadType, or Salt's
// comment for a dict without fun).
func (r *runner) checkEntry(kind string, entry any) (out any, why string, err error) {
	m, isDict := py.DictItems(entry)
	if !isDict {
		return nil, errBadType, nil
	}
	if !m.Has("fun") {
		return nil, "no `fun` argument in " + kind + ": " + py.Repr(m), nil
	}
	out, err = r.checkFunction(m)
	return out, "", err
}

// checkFunction calls an unless/onlyif given as {fun: ..., args: [...],
// kwarg: ...}, as _run_check_function does, following get_return
// (a colon path) into what it returned. Salt also weighs the retcode a
// cmd function leaves in __context__; here the return's truth decides.
func (r *runner) checkFunction(m body.Map) (any, error) {
	if r.o.Env.Modules == nil {
		return nil, errors.New("no execution modules to call " + py.Str(retryGet(m, "fun")))
	}
	fun := py.Str(retryGet(m, "fun"))
	var args []any
	kwargs := map[string]any{}
	var getReturn any
	for _, it := range m {
		switch it.Key {
		case "fun":
		case "args":
			args, _ = py.ListItems(it.Value)
		case "get_return":
			getReturn = it.Value
		default:
			kwargs[it.Key] = it.Value
		}
	}
	out, err := r.o.Env.Modules(fun, args, kwargs)
	if err != nil {
		return nil, err
	}
	if py.Truthy(getReturn) {
		out = traverse(out, py.Str(getReturn))
	}
	return out, nil
}

// traverse is salt.utils.data.traverse_dict_and_list with ":" between
// keys: dict keys, and list indexes; nil when the path leads nowhere.
func traverse(v any, path string) any {
	for _, key := range strings.Split(path, ":") {
		if m, ok := py.DictItems(v); ok {
			next, found := m.Get(key)
			if !found {
				return nil
			}
			v = next
			continue
		}
		items, ok := py.ListItems(v)
		i, err := strconv.Atoi(key)
		if !ok || err != nil || i < 0 || i >= len(items) {
			return nil
		}
		v = items[i]
	}
	return v
}

// checkCreates is Salt's _run_check_creates: the state need not run when
// the file (every file of a list) exists.
func checkCreates(c *chunk, v any) body.Map {
	ret := checkRet(c)
	exists := func(p any) bool {
		s, ok := p.(string)
		if !ok {
			return false
		}
		_, err := os.Stat(s)
		return err == nil
	}
	skip := body.Map{{Key: "result", Value: true}, {Key: "skip_watch", Value: true}}
	if s, ok := v.(string); ok && exists(s) {
		ret.Set("comment", s+" exists")
		update(&ret, skip)
		return ret
	}
	if items, ok := py.ListItems(v); ok && allOf(items, exists) {
		ret.Set("comment", "All files in creates exist")
		update(&ret, skip)
		return ret
	}
	ret.Set("comment", "Creates files not found")
	ret.Set("result", false)
	return ret
}

// runCheckCmd is Salt's _run_check_cmd: after the state ran, every
// check_cmd command must succeed for it to count as a success.
func (r *runner) runCheckCmd(ctx context.Context, c *chunk) (body.Map, error) {
	ret := checkRet(c)
	opts := map[string]any{}
	if v, ok := r.o.Env.Grains["shell"]; ok {
		opts["shell"] = v
	}
	for _, entry := range checkList(retryGet(c.low.Args, "check_cmd")) {
		code, ok := r.retcode(py.Str(entry), opts)
		if !ok {
			return nil, fmt.Errorf("check_cmd %s could not be run", py.Str(entry))
		}
		if code != 0 {
			update(&ret, body.Map{{Key: "comment", Value: "check_cmd determined the state failed"}, {Key: "result", Value: false}})
			return ret, nil
		}
		if res, _ := ret.Get("result"); res == false {
			update(&ret, body.Map{{Key: "comment", Value: "check_cmd determined the state succeeded"}, {Key: "result", Value: true}})
		}
	}
	return ret, nil
}

// checkList is a value as a list: a list as it is, anything else alone.
func checkList(v any) []any {
	if items, ok := py.ListItems(v); ok {
		return items
	}
	return []any{v}
}

func allOf(items []any, f func(any) bool) bool {
	for _, it := range items {
		if !f(it) {
			return false
		}
	}
	return true
}

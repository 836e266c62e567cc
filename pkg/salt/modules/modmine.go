package modules

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// mineFuncs is Salt's mine module (salt/modules/mine.py in 3006): function
// returns kept in the master's mine for other minions to read, sent as
// _mine requests through Options.MasterRequest; masterless (file_client
// local) they are kept in the minion's own datastore, as Salt's data
// module keeps them (modmine_local.go).
func mineFuncs() []Func {
	return []Func{
		{Name: "mine.update", Params: []Param{{Name: "clear", Default: false}, {Name: "mine_functions", Default: nil}},
			Doc: mineUpdateDoc, Call: mineUpdate},
		{Name: "mine.send", Params: []Param{{Name: "name", Required: true}}, VarArgs: true, VarKwargs: true,
			Doc: mineSendDoc, Call: mineSendFunc},
		{Name: "mine.get", Params: []Param{{Name: "tgt", Required: true}, {Name: "fun", Required: true},
			{Name: "tgt_type", Default: "glob"}, {Name: "exclude_minion", Default: false}},
			Doc: mineGetDoc, Call: mineGet},
		{Name: "mine.delete", Params: []Param{{Name: "fun", Required: true}},
			Doc: "Remove specific function contents of minion.\n\n:param str fun: The name of the function.\n:rtype: bool\n:return: True on success.\n\nCLI Example:\n\n    salt '*' mine.delete 'network.interfaces'",
			Call: func(c *Call) (any, error) {
				if mineMasterless(c) {
					return mineLocalDelete(c, py.Str(c.Arg("fun")))
				}
				return mineSend(c, protocol.MineDeleteLoad(eventMinionID(c), c.Arg("fun"))), nil
			}},
		{Name: "mine.flush", Doc: "Remove all mine contents of minion.\n\n:rtype: bool\n:return: True on success\n\nCLI Example:\n\n    salt '*' mine.flush",
			Call: func(c *Call) (any, error) {
				if mineMasterless(c) {
					return mineLocalUpdate(c, body.Map{})
				}
				return mineSend(c, protocol.MineFlushLoad(eventMinionID(c))), nil
			}},
		{Name: "mine.valid", Doc: "List valid entries in mine configuration.\n\nCLI Example:\n\n    salt '*' mine.valid",
			Call: mineValid},
	}
}

const mineUpdateDoc = `Call the configured functions and send the data back up to the master.
The functions to be called are merged from the master config, pillar and
minion config under the option ` + "`mine_functions`" + `:

    mine_functions:
      network.ip_addrs:
        - eth0
      disk.usage: []

:param bool clear: Default: ` + "``False``" + `
    Specifies whether updating will clear the existing values (` + "``True``" + `), or
    whether it will update them (` + "``False``" + `).

:param dict mine_functions:
    Update (or clear, see ` + "``clear``" + `) the mine data on these functions only.

CLI Example:

    salt '*' mine.update`

const mineSendDoc = `Send a specific function and its result to the salt mine.
This gets stored in either the local cache, or the salt master's cache.

:param str name: Name of the function to add to the mine.

The following pameters are extracted from kwargs if present:

:param str mine_function: The name of the execution_module.function to run
    and whose value will be stored in the salt mine. Defaults to ` + "``name``" + `.
:param str allow_tgt: Targeting specification for ACL. Specifies which minions
    are allowed to access this function.
:param str allow_tgt_type: Type of the targeting specification.

Remaining args and kwargs will be passed on to the function to run.

:rtype: bool
:return: Whether executing the function and storing the information was successful.

CLI Example:

    salt '*' mine.send network.ip_addrs interface=eth0
    salt '*' mine.send eth0_ip_addrs mine_function=network.ip_addrs interface=eth0`

const mineGetDoc = `Get data from the mine.

:param str tgt: Target whose mine data to get.
:param fun: Function to get the mine data of. You can specify multiple functions
    to retrieve using either a list or a comma-separated string of functions.
:type fun: str or list
:param str tgt_type: Default ` + "``glob``" + `. Target type to use with ` + "``tgt``" + `.
:param bool exclude_minion: Excludes the current minion from the result set.

CLI Example:

    salt '*' mine.get '*' network.interfaces
    salt '*' mine.get 'os:Fedora' network.interfaces grain
    salt '*' mine.get 'G@os:Fedora and S@192.168.5.0/24' network.ipaddrs compound`

// mineUpdate is mine.update: each configured (or given) function is run
// and its return stored under its alias; a function that is missing or
// fails is left out, as Salt logs and skips it. Nothing configured
// answers None.
func mineUpdate(c *Call) (any, error) {
	var funcs body.Map
	switch v := c.Arg("mine_functions"); {
	case !pyTruthy(v):
		funcs = mineConfigFunctions(c)
	default:
		if l, ok := v.([]any); ok {
			for _, f := range l {
				funcs = append(funcs, body.Item{Key: py.Str(f), Value: body.Map{}})
			}
			break
		}
		m, ok := py.DictItems(v)
		if !ok {
			return nil, nil
		}
		funcs = m
	}
	if len(funcs) == 0 {
		return nil, nil
	}
	data := body.Map{}
	for _, it := range funcs {
		def := parseMineFunction(it.Value)
		name := def.function(it.Key)
		ret, ok := mineRun(c, name, def.args, def.kwargs)
		if !ok {
			continue
		}
		if def.allowTgt != nil {
			ret = protocol.MineACLEntry(ret, def.allowTgt, def.allowTgtType)
		}
		data.Set(it.Key, ret)
	}
	return mineStore(c, data, pyTruthy(c.Arg("clear")))
}

// mineSendFunc is mine.send: name (or mine_function) is run with the other
// arguments and its return stored under name; a function that fails
// answers False.
func mineSendFunc(c *Call) (any, error) {
	kwargs := body.Map{}
	var fun, allowTgt, allowTgtType any
	for _, it := range c.Kwargs {
		switch {
		case strings.HasPrefix(it.Key, "__"): // clean_kwargs
		case it.Key == "mine_function":
			fun = it.Value
		case it.Key == "allow_tgt":
			allowTgt = it.Value
		case it.Key == "allow_tgt_type":
			allowTgtType = it.Value
		default:
			kwargs = append(kwargs, it)
		}
	}
	name := py.Str(c.Arg("name"))
	if !pyTruthy(fun) {
		fun = name
	}
	ret, ok := mineRun(c, py.Str(fun), c.Args, kwargs)
	if !ok {
		return false, nil
	}
	if pyTruthy(allowTgt) {
		ret = protocol.MineACLEntry(ret, allowTgt, allowTgtType)
	}
	return mineStore(c, body.Map{{Key: name, Value: ret}}, false)
}

// mineRun calls an execution function for the mine, as a local call (no
// publish); false when it is not available or raised.
func mineRun(c *Call, fun string, args []any, kwargs body.Map) (any, bool) {
	all := append([]any(nil), args...)
	if len(kwargs) > 0 {
		all = append(all, append(append(body.Map(nil), kwargs...), body.Item{Key: "__kwarg__", Value: true}))
	}
	res := c.exec.Run(c.Ctx, fun, all, Pub{})
	return res.Return, !res.Raised
}

// mineStore keeps mine data: masterless in the local datastore, else in
// the master's mine (_mine).
func mineStore(c *Call, data body.Map, clear bool) (any, error) {
	if mineMasterless(c) {
		return mineLocalStore(c, data, clear)
	}
	return mineSend(c, protocol.MineLoad(eventMinionID(c), data, clear)), nil
}

// mineSend sends a mine load to the master and answers whether it took
// it. Salt fires the load on the minion's bus for the minion to send and
// answers True whatever the master does.
func mineSend(c *Call, load body.Map) bool {
	if c.exec.opts.MasterRequest == nil {
		return false
	}
	ret, err := c.exec.opts.MasterRequest(c.Ctx, load)
	return err == nil && ret == true
}

// mineGet is mine.get: the master's answer to _mine_get (masterless, the
// local datastore's), without this minion when exclude_minion.
func mineGet(c *Call) (any, error) {
	tgtType := py.Str(c.Arg("tgt_type"))
	if mineMasterless(c) {
		return mineLocalGet(c, c.Arg("tgt"), c.Arg("fun"), tgtType)
	}
	if c.exec.opts.MasterRequest == nil {
		return nil, &Exception{Type: "SaltClientError", Msg: "the minion has no master to ask"}
	}
	ret, err := c.exec.opts.MasterRequest(c.Ctx, protocol.MineGetLoad(eventMinionID(c), c.Arg("tgt"), c.Arg("fun"), tgtType))
	if err != nil {
		return nil, &Exception{Type: "SaltReqTimeoutError", Msg: err.Error()}
	}
	if m, ok := ret.(body.Map); ok && pyTruthy(c.Arg("exclude_minion")) {
		m = append(body.Map(nil), m...)
		m.Delete(eventMinionID(c))
		return m, nil
	}
	return ret, nil
}

// mineValid is mine.valid: the configured mine functions that are
// available, each as {alias: {function: [args..., {kwarg: value}...]}}
// when the alias names another function, else as configured.
func mineValid(c *Call) (any, error) {
	funcs := mineConfigFunctions(c)
	if len(funcs) == 0 {
		return nil, nil
	}
	out := body.Map{}
	for _, it := range funcs {
		def := parseMineFunction(it.Value)
		name := def.function(it.Key)
		if !mineAvailable(c, name) {
			continue
		}
		if def.name == "" {
			out.Set(it.Key, mineValidAsConfigured(it.Value, def))
			continue
		}
		list := append([]any{}, def.args...)
		for _, kw := range def.kwargs {
			list = append(list, body.Map{kw})
		}
		out.Set(it.Key, body.Map{{Key: def.name, Value: list}})
	}
	return out, nil
}

// mineAvailable reports whether fun is built in or offered by the
// fallback (Salt's `func in __salt__`).
func mineAvailable(c *Call, fun string) bool {
	if c.exec.Has(fun) {
		return true
	}
	if fb := c.exec.opts.Fallback; fb != nil {
		for _, f := range fb.Functions(c.Ctx) {
			if f == fun {
				return true
			}
		}
	}
	return false
}

// mineValidAsConfigured is an entry whose alias is its function, as Salt's
// mine.valid shows it: a mapping without the ACL keys, which Salt's parse
// took out of it in place; a list as written.
func mineValidAsConfigured(v any, def mineDef) any {
	if _, ok := py.DictItems(v); ok {
		return append(body.Map{}, def.kwargs...)
	}
	return v
}

package modules

import (
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// eventFuncs is Salt's event and mine modules: events and mine data sent to the master.
func eventFuncs(opts Options) []Func {
	return append(eventModuleFuncs(), mineFuncs()...)
}

// eventModuleFuncs is Salt's event module (salt/modules/event.py in 3006):
// events for the master's event bus, sent as _minion_event requests through
// Options.MasterRequest. The minion has no local event bus other processes
// listen on (no beacons, engines or reactor), so event.fire acts only on the
// tags the minion itself handles, as Salt's Minion.handle_event does.
func eventModuleFuncs() []Func {
	return []Func{
		{
			Name: "event.fire_master",
			Params: []Param{{Name: "data", Required: true}, {Name: "tag", Required: true},
				{Name: "preload", Default: nil}},
			Doc: "Fire an event off up to the master server.\n\nCLI Example:\n\n    salt '*' event.fire_master '{\"data\":\"my event data\"}' 'tag'",
			Call: func(c *Call) (any, error) {
				return eventFireMaster(c, c.Arg("data"), py.Str(c.Arg("tag")), c.Arg("preload")), nil
			},
		},
		{
			Name:   "event.fire",
			Params: []Param{{Name: "data", Required: true}, {Name: "tag", Required: true}},
			Doc: "Fire an event on the local minion event bus. Data must be formed as a dict.\n\n" +
				"This minion has no local bus other processes listen on: the tags it handles itself\n" +
				"(fire_master, _minion_mine) go to the master; others are accepted and dropped.\n\n" +
				"CLI Example:\n\n    salt '*' event.fire '{\"data\":\"my event data\"}' 'tag'",
			Call: func(c *Call) (any, error) { return eventFireLocal(c, c.Arg("data"), py.Str(c.Arg("tag"))), nil },
		},
		{
			Name: "event.send",
			Params: []Param{{Name: "tag", Required: true}, {Name: "data", Default: nil}, {Name: "preload", Default: nil},
				{Name: "with_env", Default: false}, {Name: "with_grains", Default: false},
				{Name: "with_pillar", Default: false}, {Name: "with_env_opts", Default: false}},
			VarKwargs: true,
			Doc:       eventSendDoc,
			Call:      eventSend,
		},
	}
}

const eventSendDoc = `Send an event to the Salt Master

:param tag: A tag to give the event. Use slashes to create a namespace for related events.
:param data: A dictionary of data to send in the event.
:param with_env: Include environment variables (True, or a list of names) as ` + "``environ``" + `.
:param with_grains: Include grains (True, or a list of names) as ` + "``grains``" + `.
:param with_pillar: Include Pillar values (True, or a list of keys) as ` + "``pillar``" + `.
:param with_env_opts: Include ` + "``saltenv``" + ` and ` + "``pillarenv``" + `.
:param kwargs: Any additional keyword arguments are included in the event data.

CLI Example:

    salt-call event.send myco/mytag foo=Foo bar=Bar
    salt-call event.send 'myco/mytag' '{foo: Foo, bar: Bar}'`

// eventSend is event.send: the event's data built as Salt builds it (the
// environment, grains, pillar and env options asked for, then the keyword
// arguments, __pub_* included, then data's keys over all of them), fired on
// the local bus in masterless mode, else on the master's.
func eventSend(c *Call) (any, error) {
	data := body.Map{}
	if v := c.Arg("with_env"); pyTruthy(v) {
		env := body.Map{}
		for _, kv := range os.Environ() {
			k, val, _ := strings.Cut(kv, "=")
			env.Set(k, val)
		}
		data.Set("environ", eventSubset(v, env))
	}
	if v := c.Arg("with_grains"); pyTruthy(v) {
		g, _ := py.DictItems(c.Grains())
		data.Set("grains", eventSubset(v, g))
	}
	if v := c.Arg("with_pillar"); pyTruthy(v) {
		p, _ := py.DictItems(c.Pillar())
		data.Set("pillar", eventSubset(v, p))
	}
	if pyTruthy(c.Arg("with_env_opts")) {
		data.Set("saltenv", eventOpt(c, "saltenv"))
		data.Set("pillarenv", eventOpt(c, "pillarenv"))
	}
	for _, it := range c.Kwargs {
		data.Set(it.Key, it.Value)
	}
	if m, ok := py.DictItems(c.Arg("data")); ok {
		for _, it := range m {
			data.Set(it.Key, it.Value)
		}
	}
	tag := py.Str(c.Arg("tag"))
	if eventMasterless(c, true) {
		return eventFireLocal(c, data, tag), nil
	}
	return eventFireMaster(c, data, tag, c.Arg("preload")), nil
}

// eventSubset is all of m for True, or for a list only the keys it names
// (_dict_subset), in m's order.
func eventSubset(sel any, m body.Map) body.Map {
	keys, ok := sel.([]any)
	if !ok {
		return m
	}
	out := body.Map{}
	for _, it := range m {
		for _, k := range keys {
			if k == it.Key {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// eventOpt is an option of the minion's config as __opts__.get gives it:
// None when it is not set.
func eventOpt(c *Call, key string) any {
	if cfg := c.exec.opts.Config; cfg != nil {
		if v, ok := cfg.Raw[key]; ok {
			return v
		}
	}
	if key == "saltenv" && c.exec.opts.Saltenv != "" {
		return c.exec.opts.Saltenv
	}
	return nil
}

// eventMasterless reports Salt's masterless test: file_client local (or,
// for event.send, master_type disable) unless use_master_when_local.
func eventMasterless(c *Call, masterType bool) bool {
	cfg := c.exec.opts.Config
	if cfg == nil {
		return false
	}
	if pyTruthy(cfg.Raw["use_master_when_local"]) {
		return false
	}
	return cfg.FileOptions().FileClient == "local" || masterType && cfg.MasterType == "disable"
}

// eventFireMaster is event.fire_master: the event goes to the master as a
// _minion_event request (the preload's keys over the load, as Salt's raw
// send does), and the answer is whether the master fired it. Salt's minion
// sends it asynchronously and answers True whatever happens; this one
// waits, so a master that is not there or refuses the tag gives False.
// Masterless, nothing is sent and the answer is False, as Salt's.
func eventFireMaster(c *Call, data any, tag string, preload any) bool {
	if eventMasterless(c, false) || c.exec.opts.MasterRequest == nil {
		return false
	}
	if tag == "" {
		return true // Salt's minion drops an event without a tag, after saying True
	}
	if !pyTruthy(data) {
		data = body.Map{}
	}
	load := protocol.MinionEventLoad(eventMinionID(c), tag, data)
	if pre, ok := preload.(body.Map); ok {
		for _, it := range pre {
			load.Set(it.Key, it.Value)
		}
	}
	ret, err := c.exec.opts.MasterRequest(c.Ctx, load)
	return err == nil && ret == true
}

// eventFireLocal is event.fire: data must be a mapping (Salt's fire_event
// raises, and fire answers False, otherwise). The tags Salt's minion acts
// on go to the master: fire_master (data holds the event's data and tag)
// and _minion_mine (data is a mine load); any other event is dropped, as
// no process listens on this minion's bus, and the answer is True.
func eventFireLocal(c *Call, data any, tag string) bool {
	m, ok := py.DictItems(data)
	if !ok || tag == "" {
		return false
	}
	switch {
	case strings.HasPrefix(tag, "fire_master"):
		d, _ := m.Get("data")
		t, _ := m.Get("tag")
		return eventFireMaster(c, d, py.Str(t), nil)
	case strings.HasPrefix(tag, "_minion_mine"):
		return mineSend(c, m)
	}
	return true
}

// eventMinionID is the minion's id: its config's, else its id grain.
func eventMinionID(c *Call) string {
	if cfg := c.exec.opts.Config; cfg != nil && cfg.ID != "" {
		return cfg.ID
	}
	return py.Str(c.Grains()["id"])
}

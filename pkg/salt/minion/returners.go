package minion

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/returners"
)

// runReturners runs the returners the publish names (salt --return), and
// those of the minion's own `return` option, once the job's return went
// to the master, as the end of Salt's _thread_return does. They see
// Salt's ret: success, return, retcode, jid, fun, fun_args, user,
// master_id and metadata as published, ret_config and ret_kwargs, id.
// Nothing they do changes what the master got.
func (m *Minion) runReturners(pub protocol.Pub, res modules.Result, fun any) {
	names := pub.Ret
	if def := configReturners(m.cfg.Raw["return"]); def != "" {
		if names != "" {
			names += "," + def
		} else {
			names = def
		}
	}
	if names == "" {
		return
	}
	ret := returnerRet(pub, res, fun, m.id)
	returners.Run(&returners.Env{Option: m.configOption, Log: m.log}, names, ret)
}

// returnerRet is the ret Salt's _thread_return hands its returners:
// success, return, retcode (out where Salt sets it for an error), jid,
// fun, fun_args, user, master_id and metadata as published, ret_config
// and ret_kwargs, id.
func returnerRet(pub protocol.Pub, res modules.Result, fun any, id string) body.Map {
	ret := body.Map{{Key: "success", Value: res.Success}, {Key: "return", Value: res.Return}}
	// Salt sets out with an error's return: before retcode for an
	// exception, after it for a function that is not available.
	errOut := !res.Success && res.Out == "nested"
	missing := errOut && strings.HasPrefix(fmt.Sprint(res.Return), "'"+pub.Fun+"' ")
	if errOut && !missing {
		ret = append(ret, body.Item{Key: "out", Value: res.Out})
	}
	ret = append(ret, body.Item{Key: "retcode", Value: int64(res.Retcode)})
	if missing {
		ret = append(ret, body.Item{Key: "out", Value: res.Out})
	}
	ret = append(ret,
		body.Item{Key: "jid", Value: pub.Jid},
		body.Item{Key: "fun", Value: fun},
		body.Item{Key: "fun_args", Value: modules.StripKwargMarkers(pub.Arg)})
	if pub.User != "" {
		ret = append(ret, body.Item{Key: "user", Value: pub.User})
	}
	for _, k := range [...]string{"master_id", "metadata", "ret_config", "ret_kwargs"} {
		if v, ok := pub.Extra.Get(k); ok {
			ret = append(ret, body.Item{Key: k, Value: v})
		}
	}
	ret = append(ret, body.Item{Key: "id", Value: id})
	return ret
}

// configReturners is the minion's return option as a comma-separated
// string, which Salt's config loading makes of a list too.
func configReturners(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		names := make([]string, 0, len(x))
		for _, n := range x {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
		return strings.Join(names, ",")
	}
	return ""
}

// configOption is config.option as the returners read it: the minion's
// config, then its grains, then its pillar.
func (m *Minion) configOption(key string) (any, bool) {
	if v, ok := m.cfg.Raw[key]; ok {
		return v, true
	}
	if v, ok := m.Grains()[key]; ok {
		return v, true
	}
	v, ok := m.pillar.get()[key]
	return v, ok
}

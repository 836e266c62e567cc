package runner

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// cacheFuncs are Salt's cache runner (salt/runners/cache.py) over the
// master's minion data cache: the targeted minions' cached grains, pillar
// and mine, and clearing them, as MasterPillarUtil reads and writes them
// with use_cached_* on and no fallback to the minions.
func cacheFuncs(env *Env) []modules.Func {
	tgtParams := func(tgtRequired bool) []modules.Param {
		tgt := modules.Param{Name: "tgt"}
		if tgtRequired {
			tgt.Required = true
		}
		return []modules.Param{tgt, {Name: "tgt_type", Default: "glob"}}
	}
	clear := func(name string, pillar, grains, mine bool) modules.Func {
		return modules.Func{
			Name: "cache." + name, Params: tgtParams(false),
			Doc: cacheDocs[name],
			Call: func(c *modules.Call) (any, error) {
				return env.clearCache(c.Arg("tgt"), str(c.Arg("tgt_type")), pillar, grains, mine)
			},
		}
	}
	return []modules.Func{
		{
			Name: "cache.grains", Params: tgtParams(true), VarKwargs: true,
			Doc: cacheDocs["grains"],
			Call: func(c *modules.Call) (any, error) {
				return env.cacheGrains(c.Arg("tgt"), str(c.Arg("tgt_type")))
			},
		},
		{
			Name: "cache.pillar", Params: tgtParams(false), VarKwargs: true,
			Doc: cacheDocs["pillar"],
			Call: func(c *modules.Call) (any, error) {
				return env.cachePillar(c.Arg("tgt"), str(c.Arg("tgt_type")))
			},
		},
		{
			Name: "cache.mine", Params: tgtParams(false), VarKwargs: true,
			Doc: cacheDocs["mine"],
			Call: func(c *modules.Call) (any, error) {
				return env.cacheMine(c.Arg("tgt"), str(c.Arg("tgt_type")))
			},
		},
		clear("clear_pillar", true, false, false),
		clear("clear_grains", false, true, false),
		clear("clear_mine", false, false, true),
		clear("clear_all", true, true, true),
	}
}

// str is an argument as a string: "" for None, the text of anything else.
func str(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	}
	return py.Str(v)
}

// cacheGrains is MasterPillarUtil.get_minion_grains: {id: grains} for
// each targeted minion, {} for one with none cached; {} when the target
// matches nothing.
func (e *Env) cacheGrains(tgt any, tgtType string) (any, error) {
	ids, err := e.targetMinions(tgt, tgtType)
	if err != nil || len(ids) == 0 {
		return body.Map{}, err
	}
	grains, _, err := e.cachedData(ids)
	if err != nil {
		return nil, err
	}
	return byID(ids, grains), nil
}

// cachePillar is MasterPillarUtil.get_minion_pillar with cached pillar
// only: {id: pillar} for each targeted minion ({} for one with none
// cached); without a target, every minion with a non-empty cached pillar.
func (e *Env) cachePillar(tgt any, tgtType string) (any, error) {
	ids, err := e.targetMinions(tgt, tgtType)
	if err != nil {
		return nil, err
	}
	if py.Truthy(tgt) && len(ids) == 0 {
		return body.Map{}, nil
	}
	_, pillars, err := e.cachedData(ids)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nonEmpty(pillars), nil
	}
	return byID(ids, pillars), nil
}

// cacheMine is MasterPillarUtil.get_cached_mine_data: {id: mine} for the
// targeted minions ({} for one with no mine), or every cached mine
// without a target; kept only with minion_data_cache or
// enforce_mine_cache.
func (e *Env) cacheMine(tgt any, tgtType string) (any, error) {
	ids, err := e.targetMinions(tgt, tgtType)
	if err != nil {
		return nil, err
	}
	mines := map[string]body.Map{}
	for _, id := range ids {
		mines[id] = body.Map{}
	}
	if !e.Opts.MinionDataCache && !py.Truthy(e.Opts.Raw["enforce_mine_cache"]) {
		return byID(ids, mines), nil
	}
	all := ids
	if len(all) == 0 {
		if all, err = e.cachedMinions(); err != nil {
			return nil, err
		}
	}
	for _, id := range all {
		mine, err := e.readBank(id, mineFile)
		if err != nil {
			return nil, err
		}
		if mine == nil {
			mine = body.Map{} // localfs fetch gives {} for a missing file
		}
		mines[id] = mine
	}
	return byID(all, mines), nil
}

// byID orders a result by the ids.
func byID(ids []string, data map[string]body.Map) body.Map {
	out := make(body.Map, 0, len(ids))
	for _, id := range ids {
		out = append(out, body.Item{Key: id, Value: data[id]})
	}
	return out
}

// nonEmpty is the entries with data, in id order.
func nonEmpty(data map[string]body.Map) body.Map {
	var ids []string
	for id, m := range data {
		if len(m) > 0 {
			ids = append(ids, id)
		}
	}
	return byID(sortedIDs(ids), data)
}

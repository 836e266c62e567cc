package returners

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// attr is one option a returner reads: its name in the result and in the
// config (<returner>.<key>).
type attr struct{ name, key string }

// options is salt.returners.get_returner_options for a returner named
// virtualname, with config.option as the config (a minion's returners
// always have it): each attr is looked up by fetchOption, a false value
// (Python's) gives way to defaults, and the return's ret_kwargs override
// it all, unknown keys included.
func options(env *Env, virtualname string, ret body.Map, attrs []attr, defaults map[string]any) map[string]any {
	retConfig := ""
	if v, ok := ret.Get("ret_config"); ok {
		retConfig = py.Str(v)
	}
	out := map[string]any{}
	for _, a := range attrs {
		if v := fetchOption(env, retConfig, virtualname, a.key); py.Truthy(v) {
			out[a.name] = v
		} else if d, ok := defaults[a.name]; ok {
			out[a.name] = d
		}
	}
	if kw, ok := ret.Get("ret_kwargs"); ok {
		switch m := kw.(type) {
		case body.Map:
			for _, it := range m {
				out[it.Key] = it.Value
			}
		case map[string]any:
			for k, v := range m {
				out[k] = v
			}
		}
	}
	return out
}

// fetchOption is salt.returners._fetch_option with config.option: the
// returner's mapping (<returner>: {key: ...}) or <returner>.<key>; with a
// ret_config, <ret_config>.<returner>'s mapping or
// <ret_config>.<returner>.<key> first.
func fetchOption(env *Env, retConfig, virtualname, key string) any {
	cfg := func(k string) any {
		if env.Option == nil {
			return nil
		}
		v, _ := env.Option(k)
		return v
	}
	get := func(m any, k string) (any, bool) {
		switch x := m.(type) {
		case body.Map:
			return x.Get(k)
		case map[string]any:
			v, ok := x[k]
			return v, ok
		}
		return nil, false
	}
	cCfg := cfg(virtualname)
	fallback := func() any {
		if v, ok := get(cCfg, key); ok {
			return v
		}
		return cfg(virtualname + "." + key)
	}
	if retConfig == "" {
		return fallback()
	}
	v, ok := get(cfg(retConfig+"."+virtualname), key)
	if !ok {
		v = cfg(retConfig + "." + virtualname + "." + key)
	}
	if py.Truthy(v) {
		return v
	}
	return fallback()
}

package modules

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// mineDef is one mine_functions entry read as
// salt.utils.mine.parse_function_definition reads it.
type mineDef struct {
	name                   string // mine_function: the function when the alias is not one
	args                   []any
	kwargs                 body.Map
	allowTgt, allowTgtType any // the minion-side ACL, nil when unset
}

// function is the function the entry runs: its mine_function, else its
// alias.
func (d mineDef) function(alias string) string {
	if d.name != "" {
		return d.name
	}
	return alias
}

// parseMineFunction reads a definition: a mapping is keyword arguments; a
// list holds positional arguments and mappings of keyword arguments;
// mine_function, allow_tgt and allow_tgt_type are taken out of the keyword
// arguments. Anything else is a call without arguments.
func parseMineFunction(def any) mineDef {
	var d mineDef
	if l, ok := def.([]any); ok {
		for _, item := range l {
			if m, ok := py.DictItems(item); ok {
				for _, it := range m {
					d.kwargs.Set(it.Key, it.Value)
				}
				continue
			}
			d.args = append(d.args, item)
		}
	} else if m, ok := py.DictItems(def); ok {
		d.kwargs = append(d.kwargs, m...)
	}
	kw := d.kwargs[:0:0]
	for _, it := range d.kwargs {
		switch it.Key {
		case "mine_function":
			d.name = py.Str(it.Value)
		case "allow_tgt":
			if pyTruthy(it.Value) {
				d.allowTgt = it.Value
			}
		case "allow_tgt_type":
			if pyTruthy(it.Value) {
				d.allowTgtType = it.Value
			}
		default:
			kw = append(kw, it)
		}
	}
	d.kwargs = kw
	return d
}

// mineConfigFunctions is config.merge("mine_functions"): the minion's
// option over the pillar's master:mine_functions over the pillar's
// mine_functions, mappings merged key by key (the pillar's keys first).
func mineConfigFunctions(c *Call) body.Map {
	var layers []any
	pillar := c.Pillar()
	layers = append(layers, pillar["mine_functions"])
	if master, ok := pillar["master"].(map[string]any); ok {
		layers = append(layers, master["mine_functions"])
	}
	if cfg := c.exec.opts.Config; cfg != nil {
		layers = append(layers, cfg.MineFunctions)
	}
	out := body.Map{}
	for _, l := range layers {
		m, ok := py.DictItems(l)
		if !ok {
			continue
		}
		for _, it := range m {
			out.Set(it.Key, it.Value)
		}
	}
	return out
}

// mineMasterless reports Salt's test for keeping the mine locally:
// file_client local.
func mineMasterless(c *Call) bool {
	cfg := c.exec.opts.Config
	return cfg != nil && cfg.FileOptions().FileClient == "local"
}

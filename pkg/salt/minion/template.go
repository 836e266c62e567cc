package minion

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// renderTemplate renders a Jinja template for cp.get_template and the
// template= of cp.get_file: with the minion's grains, pillar and options,
// salt['mod.fun'] calling the minion's own execution modules, and imports
// fetched from the master's file server, as Salt's minion renders them.
func (m *Minion) renderTemplate(file string, text []byte, saltenv string) (string, error) {
	r := render.Renderer{Caller: m.callModule, Loader: m.loadTemplate}
	return r.Template(file, text, render.Context{Grains: m.Grains(), Pillar: m.Pillar(),
		Opts: m.cfg.Raw, Saltenv: saltenv})
}

// callModule is salt['fun'](*args, **kwargs) in a template or a state:
// the keyword arguments go as Salt's publish marks them (a __kwarg__
// mapping). It fails only when the function raised; one that returned
// with a non-zero retcode (cmd.retcode, cmd.run_all of a failing command)
// gives its value, as a Python caller gets it.
func (m *Minion) callModule(fun string, args []any, kwargs map[string]any) (any, error) {
	a := slices.Clone(args)
	if len(kwargs) > 0 {
		kw := body.Map{{Key: "__kwarg__", Value: true}}
		for _, k := range slices.Sorted(maps.Keys(kwargs)) {
			kw = append(kw, body.Item{Key: k, Value: kwargs[k]})
		}
		a = append(a, kw)
	}
	res := m.modules.Run(m.jobCtx, fun, a, modules.Pub{}) // a local call: no __pub_ fields
	if res.Raised {
		return nil, fmt.Errorf("%s: %v", fun, res.Return)
	}
	return res.Return, nil
}

// loadTemplate fetches an imported or included template from the master's
// file server through the minion's cache.
func (m *Minion) loadTemplate(saltenv, path string) ([]byte, string, error) {
	local, err := m.files.CacheFile(context.Background(), "salt://"+path, saltenv)
	if err != nil {
		return nil, "", err
	}
	if local == "" {
		return nil, "", fmt.Errorf("template salt://%s is not on the master in saltenv %s", path, saltenv)
	}
	text, err := os.ReadFile(local)
	return text, local, err
}

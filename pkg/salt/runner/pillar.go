package runner

import (
	"io"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/pillar"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// pillarFuncs are Salt's pillar runner (salt/runners/pillar.py): a
// minion's pillar and pillar top compiled here, with the master's
// pillar_roots and options, from the grains the master cached for it.
func pillarFuncs(env *Env) []modules.Func {
	return []modules.Func{
		{
			Name: "pillar.show_pillar", Params: []modules.Param{{Name: "minion", Default: "*"}}, VarKwargs: true,
			Doc:  pillarDocs["show_pillar"],
			Call: env.showPillar,
		},
		{
			Name: "pillar.show_top", Params: []modules.Param{{Name: "minion"}, {Name: "saltenv", Default: "base"}},
			Doc:  pillarDocs["show_top"],
			Call: env.showTop,
		},
	}
}

// pillarCompiler is the master's pillar compiler (master pillar.go's
// newPillarCompiler): its pillar_roots, merging options, renderer and
// nodegroups, the master's options as the templates' opts.
func (e *Env) pillarCompiler() *pillar.Compiler {
	o := e.Opts.FileOptions()
	log := logrus.New()
	log.SetOutput(io.Discard) // render errors are in the result, under _errors
	return pillar.New(pillar.Options{
		Roots: o.PillarRoots, SourceMergingStrategy: o.PillarSourceMergingStrategy,
		MergeLists: o.PillarMergeLists, Renderer: o.Renderer, Nodegroups: o.Nodegroups,
		Opts: e.Opts.Raw, Log: log,
	})
}

// minionData is salt.utils.minions.get_minion_data: the cached grains of
// minion (nil when none, or without minion_data_cache); for no minion,
// those of the last cached minion, as Salt's loop leaves them.
func (e *Env) minionData(minion string) (map[string]any, error) {
	if !e.Opts.MinionDataCache {
		return nil, nil
	}
	ids := []string{minion}
	if minion == "" {
		var err error
		if ids, err = e.cachedMinions(); err != nil {
			return nil, err
		}
	}
	var grains map[string]any
	for _, id := range ids {
		data, err := e.readBank(id, dataFile)
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		grains = nil
		if g, ok := data.Map("grains"); ok {
			grains = protocol.PlainMap(g)
		}
	}
	return grains, nil
}

// showPillar is pillar.show_pillar: the pillar of minion compiled from its
// cached grains ({"fqdn": minion} without), saltenv base; the kwargs
// saltenv and pillarenv choose the environments, any other kwarg is set
// as a grain.
func (e *Env) showPillar(c *modules.Call) (any, error) {
	minion := str(c.Arg("minion"))
	grains, err := e.minionData(minion)
	if err != nil {
		return nil, err
	}
	if grains == nil {
		grains = map[string]any{"fqdn": minion}
	}
	saltenv, pillarenv := "base", ""
	for _, it := range c.Kwargs {
		switch {
		case strings.HasPrefix(it.Key, "__pub_"):
		case it.Key == "saltenv":
			saltenv = str(it.Value)
		case it.Key == "pillarenv":
			pillarenv = str(it.Value)
		default:
			grains[it.Key] = plainValue(it.Value)
		}
	}
	return e.pillarCompiler().Compile(minion, grains, saltenv, pillarenv, nil), nil
}

// showTop is pillar.show_top: the merged pillar top for minion (from the
// last cached minion's grains without one), or the list of errors met
// rendering the top files.
func (e *Env) showTop(c *modules.Call) (any, error) {
	minion := str(c.Arg("minion"))
	grains, err := e.minionData(minion)
	if err != nil {
		return nil, err
	}
	top, errs := e.pillarCompiler().Top(minion, grains, str(c.Arg("saltenv")), "")
	if len(errs) > 0 {
		return errs, nil
	}
	return top, nil
}

// plainValue is an argument as the compiler reads values.
func plainValue(v any) any {
	if m, ok := v.(body.Map); ok {
		return protocol.PlainMap(m)
	}
	return v
}

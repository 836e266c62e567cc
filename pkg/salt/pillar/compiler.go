package pillar

import (
	"maps"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/salt/render"
)

// Options are the master options pillar compiling reads.
type Options struct {
	Roots                 map[string][]string // pillar_roots
	SourceMergingStrategy string              // pillar_source_merging_strategy: smart (default), recurse, overwrite, none
	MergeLists            bool                // pillar_merge_lists
	Renderer              string              // renderer option, default "jinja|yaml"
	Nodegroups            map[string]any      // nodegroups
	Opts                  map[string]any      // what templates see as opts
	Log                   logrus.FieldLogger
}

// Compiler compiles pillar; it holds no state between compiles and may be
// used from several goroutines.
type Compiler struct {
	o Options
}

// New returns a compiler for o.
func New(o Options) *Compiler {
	if o.SourceMergingStrategy == "" {
		o.SourceMergingStrategy = "smart"
	}
	if o.Renderer == "" {
		o.Renderer = "jinja|yaml"
	}
	if o.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		o.Log = l
	}
	return &Compiler{o: o}
}

// Compile is the pillar of one minion; errors go in the "_errors" list as Salt puts them.
func (c *Compiler) Compile(id string, grains map[string]any, saltenv, pillarenv string, override map[string]any) map[string]any {
	run := c.newRun(id, grains, saltenv, pillarenv)
	top, errs := run.top()
	matches := run.topMatches(top)
	pillar, renderErrs := run.renderPillar(matches, override)
	errs = append(renderErrs, errs...)
	if len(errs) > 0 {
		for _, e := range errs {
			run.log.Errorf("Pillar render error: %s", e)
		}
		list := make([]any, len(errs))
		for i, e := range errs {
			list[i] = e
		}
		pillar["_errors"] = list
	}
	if len(override) > 0 {
		pillar = run.merge(pillar, render.Plain(override).(map[string]any))
	}
	return pillar
}

// run is one compile: the minion, its environments and the renderer whose
// salt[...] answers with its grains.
type run struct {
	c         *Compiler
	id        string
	grains    map[string]any
	saltenv   string
	pillarenv string
	opts      map[string]any
	rend      *render.Renderer
	avail     map[string][]string // the SLS names of each environment
	ignored   map[string]map[string]bool
	log       logrus.FieldLogger
}

func (c *Compiler) newRun(id string, grains map[string]any, saltenv, pillarenv string) *run {
	if grains == nil {
		grains = map[string]any{}
	}
	grains = render.Plain(grains).(map[string]any)
	if saltenv == "" {
		saltenv, _ = c.o.Opts["saltenv"].(string)
	}
	if pillarenv == "" {
		pillarenv, _ = c.o.Opts["pillarenv"].(string)
	}
	opts := maps.Clone(c.o.Opts)
	if opts == nil {
		opts = map[string]any{}
	}
	opts["id"], opts["grains"], opts["pillarenv"] = id, grains, nilIfEmpty(pillarenv)
	opts["saltenv"] = nilIfEmpty(saltenv)
	r := &run{
		c: c, id: id, grains: grains, saltenv: saltenv, pillarenv: pillarenv, opts: opts,
		ignored: map[string]map[string]bool{},
		log:     c.o.Log.WithField("minion", id),
	}
	r.rend = &render.Renderer{Default: c.o.Renderer, Caller: r.call, Loader: r.load}
	r.avail = r.gatherAvail()
	return r
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// context is what a template of env sees.
func (r *run) context(env, sls string, extra map[string]any) render.Context {
	return render.Context{Grains: r.grains, Pillar: map[string]any{}, Opts: r.opts, Saltenv: env, SLS: sls, Extra: extra}
}

// safeRenderErrors is pillar_safe_render_error (default True): _errors
// says only that a file failed, and the master's log says why.
func (r *run) safeRenderErrors() bool {
	if v, ok := r.c.o.Opts["pillar_safe_render_error"].(bool); ok {
		return v
	}
	return true
}

// includesOverrideSLS is pillar_includes_override_sls (default False).
func (r *run) includesOverrideSLS() bool {
	v, _ := r.c.o.Opts["pillar_includes_override_sls"].(bool)
	return v
}

package master

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/render"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// The reactor (salt/utils/reactor.py): the "reactor" option maps tag globs
// to sls files; each event whose tag matches renders them, with "tag" and
// "data" in their context, and runs the reactions they hold: local.<fun>
// (cmd.<fun>) publishes a job as the master publishes, runner.<fun> runs a
// runner in the master's process, wheel.<fun> a wheel function
// (reactor_wheel.go). Events are handled by reactor_worker_threads
// workers beside the master's own, never on the goroutines firing them: a
// full queue (reactor_worker_hwm) drops the event with a warning, and a
// reaction that fails is logged, naming its sls file, and the master goes
// on.

// Defaults of the reactor's options, as Salt 3006's.
const (
	defaultReactorWorkers = 10
	defaultReactorHWM     = 10000
)

// ReactorUser is the user of the reactor's runner and wheel calls
// (ReactWrap.event_user); the reactor ignores the events of that user, so
// that a reaction does not react to itself.
const ReactorUser = "Reactor"

// RunnerFunc runs a runner with salt-run's arguments: runner.Runners.Run.
type RunnerFunc func(ctx context.Context, fun string, args []any) modules.Result

// WithRunner sets how the reactor runs runner.<fun> reactions; the default
// is the runners of pkg/salt/runner, run in the master's process.
func WithRunner(f RunnerFunc) Option { return func(o *options) { o.runner = f } }

// reactRule is one entry of the reactor option: a tag glob and its sls
// files (globs themselves, as in Salt).
type reactRule struct {
	glob  string
	files []string
}

type reactEvent struct {
	tag  string
	data any
}

type reactor struct {
	m       *Master
	rules   []reactRule
	queue   chan reactEvent
	workers int
	runner  RunnerFunc
	rend    render.Renderer
	opts    map[string]any  // the templates' opts: the master's options as set, and its id
	ctx     context.Context // the master's, once running

	once    sync.Once
	runners RunnerFunc  // the default runner, made at first use
	env     *runner.Env // its environment, whose client is closed with the reactor
}

// newReactor reads the reactor options; nil when there is no reactor. A
// malformed option is an error naming the config file.
func newReactor(m *Master) (*reactor, error) {
	raw, ok := m.cfg.Raw["reactor"]
	if !ok || raw == nil {
		return nil, nil
	}
	rules, err := reactRules(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: reactor: %w", m.cfg.ConfFile, err)
	}
	if len(rules) == 0 {
		return nil, nil
	}
	workers := intOpt(m.cfg.Raw, "reactor_worker_threads", defaultReactorWorkers)
	hwm := intOpt(m.cfg.Raw, "reactor_worker_hwm", defaultReactorHWM)
	r := &reactor{m: m, rules: rules, workers: workers, queue: make(chan reactEvent, hwm), runner: m.opts.runner,
		opts: maps.Clone(m.cfg.Raw)}
	if r.opts == nil {
		r.opts = map[string]any{}
	}
	r.opts["id"] = m.cfg.ID
	return r, nil
}

func intOpt(raw map[string]any, key string, def int) int {
	switch v := raw[key].(type) {
	case int:
		if v > 0 {
			return v
		}
	case int64:
		if v > 0 {
			return int(v)
		}
	}
	return def
}

// reactRules reads the reactor option: a list of one-key mappings
// {tag glob: sls file or list of them}, or the name of a YAML file holding
// that list (Reactor.list_reactors).
func reactRules(raw any) ([]reactRule, error) {
	if file, ok := raw.(string); ok {
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("failed to read reactor map: %w", err)
		}
		var v any
		if err := yaml.Unmarshal(text, &v); err != nil {
			return nil, fmt.Errorf("failed to parse YAML in reactor map %s: %w", file, err)
		}
		raw = v
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("is %T, not a list of {tag: [sls files]}", raw)
	}
	var rules []reactRule
	for i, item := range list {
		m, ok := mapping(item)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("entry %d is not a mapping of one tag to its sls files", i+1)
		}
		for glob, val := range m {
			rule := reactRule{glob: glob}
			switch v := val.(type) {
			case string:
				rule.files = []string{v}
			case []any:
				for _, f := range v {
					s, ok := f.(string)
					if !ok {
						return nil, fmt.Errorf("entry %d (%s): %v is not an sls file name", i+1, glob, f)
					}
					rule.files = append(rule.files, s)
				}
			default:
				return nil, fmt.Errorf("entry %d (%s): %T is not an sls file or a list of them", i+1, glob, val)
			}
			rules = append(rules, rule)
		}
	}
	return rules, nil
}

// mapping reads a YAML mapping as a Go map, whichever form it came in.
func mapping(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case body.Map:
		return py.Plain(m).(map[string]any), true
	}
	return nil, false
}

// react queues an event for the workers; it never blocks the goroutine
// firing it.
func (r *reactor) react(tag string, data any) {
	select {
	case r.queue <- reactEvent{tag, data}:
	default:
		r.m.stats.Add("reactor_queue_full")
		r.m.log.Warnf("Reactor: dropped the event %s: %d events wait already (reactor_worker_hwm)", clip(tag), cap(r.queue))
	}
}

// run starts the reactor's workers; they stop with ctx.
func (r *reactor) run(ctx context.Context) error {
	r.ctx = ctx
	var wg sync.WaitGroup
	for range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case ev := <-r.queue:
					r.handle(ev)
				}
			}
		}()
	}
	wg.Wait()
	if r.env != nil { // the workers are done with it
		if err := r.env.Close(); err != nil {
			r.m.log.Debugf("Reactor: closing the runners' client: %v", err)
		}
	}
	return nil
}

// files lists the sls files of the rules whose glob matches tag.
func (r *reactor) files(tag string) []string {
	var out []string
	for _, rule := range r.rules {
		if py.Fnmatch(tag, rule.glob) {
			out = append(out, rule.files...)
		}
	}
	return out
}

// handle renders and runs the reactions to one event. The events of the
// reactor's own runner and wheel calls are not reacted to.
func (r *reactor) handle(ev reactEvent) {
	data, _ := ev.data.(body.Map)
	if user, _ := data.String("user"); user == ReactorUser {
		return
	}
	files := r.files(ev.tag)
	if len(files) == 0 {
		return
	}
	r.m.log.Debugf("Reactor: compiling reactions for tag %s", ev.tag)
	plain := py.Plain(ev.data)
	if plain == nil {
		plain = map[string]any{}
	}
	var lows []body.Map
	for _, glob := range files {
		lows = append(lows, r.render(glob, ev.tag, plain)...)
	}
	for _, low := range orderReactions(lows) {
		r.call(low)
	}
}

// render renders the sls files a glob names and compiles their reactions;
// a file that does not render, or holds something that is no reaction, is
// logged and left out.
func (r *reactor) render(glob, tag string, data any) []body.Map {
	var matches []string
	if rel, ok := strings.CutPrefix(glob, "salt://"); ok {
		// Salt caches it from the master's file server (cp.cache_file);
		// here the file server's own copy is read.
		if r.m.files != nil {
			if abs, err := r.m.files.Find("base", rel); err == nil {
				matches = []string{abs}
			}
		}
	} else {
		matches, _ = filepath.Glob(glob)
	}
	if len(matches) == 0 {
		r.m.stats.Add("reactor_error")
		r.m.log.Errorf("Can not render SLS %s for tag %s. File missing or not found.", glob, tag)
		return nil
	}
	var lows []body.Map
	for _, file := range matches {
		text, err := os.ReadFile(file)
		if err == nil {
			var out any
			ctx := render.Context{Opts: r.opts, Extra: map[string]any{"tag": tag, "data": data}}
			if out, err = r.rend.RenderOrdered(file, text, ctx); err == nil {
				var l []body.Map
				if l, err = compileReactions(file, text, out); err == nil {
					lows = append(lows, l...)
					continue
				}
			}
		}
		r.m.stats.Add("reactor_error")
		var re *render.Error
		if errors.As(err, &re) { // it names the file and line
			r.m.log.Errorf("Failed to render a reactor sls for tag %s: %v", tag, err)
			continue
		}
		r.m.log.Errorf("Failed to render %q for tag %s: %v", file, tag, err)
	}
	return lows
}

// Package runner holds salt-run's runners. As in Salt (salt.runner.Runner),
// a runner runs in the process that asked for it, salt-run-raet or the
// master's reactor, with the master's config: it reads the master's caches
// under cachedir and pki_dir directly, and publishes jobs and reads events
// over the master's lane through pkg/salt/client.
//
// Runners are execution-function shaped (modules.Func): arguments bind, and
// errors read, as they do for execution modules, so Salt's
// salt.utils.args.format_call behaviour is written once.
package runner

import (
	"context"
	"io"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// Env is what a runner may use: the master's config and a lazily
// connected client of the master's lane.
type Env struct {
	// Opts is the master's config (-c <dir>/master).
	Opts *config.Master
	// Connect opens a client on the master's lane; Client calls it once.
	Connect func() (*client.LocalClient, error)
	// Out receives what a runner prints as it goes (state.event,
	// jobs.print_job's progress), as Salt's runners print to stdout.
	Out io.Writer
	// Clock times waits; nil is the real clock.
	Clock clock.Clock
	// User is who runs the runner ("root", or "sudo_<user>").
	User string
	// Fire, when set, fires an event of this run, salt/run/<jid>/<suffix>
	// (a runner's __jid_event__.fire_event, such as display_progress'
	// "progress"), and shows it as salt-run does; nil prints it to Out.
	Fire func(suffix string, data body.Map)

	once   sync.Once
	client *client.LocalClient
	err    error
}

// Client returns the connected client, connecting on first use.
func (e *Env) Client() (*client.LocalClient, error) {
	e.once.Do(func() {
		if e.Connect == nil {
			e.err = errNoMaster
			return
		}
		e.client, e.err = e.Connect()
	})
	return e.client, e.err
}

// Close closes the client if one was opened.
func (e *Env) Close() error {
	if e.client != nil {
		return e.client.Close()
	}
	return nil
}

// Runners is the registry of runner functions.
type Runners struct {
	env  *Env
	exec *modules.Executor
}

// New returns the runners bound to env. Each group is one runner module;
// the table is explicit so that what salt-run-raet offers is read in one
// place.
func New(env *Env) *Runners {
	if env.Clock == nil {
		env.Clock = clock.Real()
	}
	r := &Runners{env: env, exec: modules.NewBare(modules.Options{})}
	for _, group := range [][]modules.Func{
		jobsFuncs(env),
		saltutilFuncs(env),
		// one line per runner module (jobs, manage, state, fileserver, cache,
		// pillar, saltutil)
		manageFuncs(env),
		stateFuncs(env),
		cacheFuncs(env),
		pillarFuncs(env),
		fileserverFuncs(env),
	} {
		for _, f := range group {
			if err := r.exec.Register(f); err != nil {
				panic(err) // a built-in runner that does not register is a programming error
			}
		}
	}
	return r
}

// Has reports whether fun is a runner.
func (r *Runners) Has(fun string) bool { return r.exec.Has(fun) }

// Accepts says whether the runner fun takes the keyword argument kw.
func (r *Runners) Accepts(fun, kw string) bool { return r.exec.Accepts(fun, kw) }

// Functions lists the runners, sorted.
func (r *Runners) Functions() []string { return r.exec.Functions() }

// Run calls the runner fun with salt-run's parsed arguments.
func (r *Runners) Run(ctx context.Context, fun string, args []any) modules.Result {
	return r.exec.Run(ctx, fun, args, modules.Pub{})
}

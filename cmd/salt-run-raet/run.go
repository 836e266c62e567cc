package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// stampLayout is _stamp's: datetime.utcnow().isoformat().
const stampLayout = "2006-01-02T15:04:05.000000"

// run runs the runner fun as Salt's Runner.run and SyncClientMixin.low
// do: salt/run/<jid>/new, the runner, the job stored, salt/run/<jid>/ret,
// the return printed; an unknown runner fires its ret only and prints its
// message or the documentation of those named alike.
func (r *runCmd) run(ctx context.Context, fun string, argv []string) int {
	runUser, _ := cli.Users(r.cfg.User)
	env := &runner.Env{Opts: r.cfg, Connect: r.connect, Out: r.out, User: runUser}
	defer env.Close()
	runners := runner.New(env)
	jid := r.o.jid
	if jid == "" {
		jid = (&job.JIDGen{}).Next()
	}
	args := job.ParseInput(argv)
	funArgs := funArgsOf(args)
	ev := &eventFirer{env: env, log: r.log}
	env.Fire = func(suffix string, d body.Map) { r.fireShown(ev, jid, suffix, d) }
	if fun == "" || !runners.Has(fun) {
		msg := fmt.Sprintf("'%s' is not available.", fun)
		if fun == "" {
			msg = "Must specify a function to run!\nex: manage.up"
		}
		return r.refused(ev, runners, jid, fun, funArgs, msg)
	}
	data := body.Map{{Key: "fun", Value: "runner." + fun}, {Key: "jid", Value: jid}, {Key: "user", Value: runUser},
		{Key: "fun_args", Value: funArgs}, {Key: "_stamp", Value: stamp()}}
	ev.fire("salt/run/"+jid+"/new", data)
	r.log.Debugf("Running runner %s as job %s", fun, jid)
	res := runners.Run(ctx, fun, args)
	if msg, ok := invalidKwargs(res, fun); ok {
		return r.refused(ev, runners, jid, fun, funArgs, msg)
	}
	// success is the runner's retcode being 0; bad arguments are not a
	// failure to Salt (the usage is the return), an exception is, with
	// retcode 1.
	usage := isUsage(res, fun)
	data = append(data[:len(data):len(data)], body.Item{Key: "return", Value: runnerReturn(fun, res)},
		body.Item{Key: "success", Value: usage || !res.Raised && res.Retcode == 0})
	if res.Raised && !usage {
		data = append(data, body.Item{Key: "retcode", Value: 1})
	}
	r.storeJob(jid, fun, runUser, data)
	data.Set("_stamp", stamp()) // fire_event stamps each event anew, in place
	ev.fire("salt/run/"+jid+"/ret", data)
	r.log.Infof("Runner completed: %s", jid)
	if !r.o.quiet {
		r.printRet(data)
	}
	return exitCode(data)
}

// fireShown fires an event of the run, salt/run/<jid>/<suffix>, and shows
// it as print_async_event does: {"suffix", "event"}, nested unless --out.
func (r *runCmd) fireShown(ev *eventFirer, jid, suffix string, d body.Map) {
	d = append(slices.Clone(d), body.Item{Key: "_stamp", Value: stamp()})
	ev.fire("salt/run/"+jid+"/"+suffix, d)
	if !r.o.quiet {
		r.display(body.Map{{Key: "suffix", Value: suffix}, {Key: "event", Value: d}}, "")
	}
}

// refused ends a run Salt's Runner.run refuses before the runner runs (a
// SaltException: no such runner, keyword arguments it does not take): the
// ret event with the message and retcode 254, then the documentation of
// the runners named like fun, or the message when there are none. salt-run
// exits 0 then.
func (r *runCmd) refused(ev *eventFirer, runners *runner.Runners, jid, fun string, funArgs []any, msg string) int {
	ev.fire("salt/run/"+jid+"/ret", body.Map{{Key: "success", Value: false}, {Key: "return", Value: msg},
		{Key: "retcode", Value: 254}, {Key: "fun", Value: fun}, {Key: "fun_args", Value: funArgs}, {Key: "jid", Value: jid},
		{Key: "_stamp", Value: stamp()}})
	var shown any = msg
	if docs := runners.Docs(fun + "*"); len(docs) > 0 {
		shown = docs
	}
	if !r.o.quiet {
		r.display(shown, "nested")
	}
	return exitOK
}

// invalidKwargs reads the error of keyword arguments the runner does not
// take (load_args_and_kwargs' SaltInvocationError).
func invalidKwargs(res modules.Result, fun string) (string, bool) {
	s, _ := res.Return.(string)
	msg, ok := strings.CutPrefix(s, "ERROR executing '"+fun+"': ")
	return msg, res.Raised && ok && strings.HasPrefix(msg, "The following keyword arguments are not valid")
}

// funArgsOf is the event's fun_args: the positional arguments, then one
// mapping of the keyword arguments when there are any.
func funArgsOf(args []any) []any {
	out := []any{}
	kw := body.Map{}
	for _, a := range args {
		if m, ok := a.(body.Map); ok && m.Has("__kwarg__") {
			for _, it := range m {
				if it.Key != "__kwarg__" {
					kw.Set(it.Key, it.Value)
				}
			}
			continue
		}
		out = append(out, a)
	}
	if len(kw) > 0 {
		out = append(out, kw)
	}
	return out
}

func stamp() string { return time.Now().UTC().Format(stampLayout) }

// isUsage says the runner was not called for its arguments: Salt returns
// the usage then, without raising.
func isUsage(res modules.Result, fun string) bool {
	s, ok := res.Return.(string)
	return res.Raised && ok && strings.HasPrefix(s, "Passed invalid arguments to "+fun+": ")
}

// runnerReturn is what the runner returned, or the text Salt's runner
// client makes of an error: the usage for bad arguments ("Passed invalid
// arguments: ..." and the docstring), "Exception occurred in runner
// <fun>: ..." for a runner that raised (Salt adds the traceback).
func runnerReturn(fun string, res modules.Result) any {
	if !res.Raised {
		return res.Return
	}
	s, _ := res.Return.(string)
	if isUsage(res, fun) {
		msg, doc, _ := strings.Cut(strings.TrimPrefix(s, "Passed invalid arguments to "+fun+": "), "\n")
		return "\nPassed invalid arguments: " + msg + "\n\nUsage:\n" + doc
	}
	for _, p := range []struct{ prefix, typ string }{
		{"The minion function caused an exception: ", ""},
		{"ERROR executing '" + fun + "': ", "SaltInvocationError: "},
		{"ERROR: ", "CommandExecutionError: "},
	} {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			return fmt.Sprintf("Exception occurred in runner %s: %s%s", fun, p.typ, rest)
		}
	}
	return fmt.Sprintf("Exception occurred in runner %s: %s", fun, s)
}

// exitCode is salt-run's: the retcode of the run (a runner that raised),
// else that of a return that is a mapping with one (or whose "data" has
// one), else 0.
func exitCode(data body.Map) int {
	if rc, ok := data.Get("retcode"); ok {
		return toInt(rc)
	}
	ret, _ := data.Map("return")
	if rc, ok := ret.Get("retcode"); ok {
		return toInt(rc)
	}
	if d, ok := ret.Map("data"); ok {
		if rc, ok := d.Get("retcode"); ok {
			return toInt(rc)
		}
	}
	return exitOK
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	case bool:
		if n {
			return 1
		}
		return 0
	}
	return exitGeneric
}

// storeJob keeps the run in the job cache as Salt's runner client does
// (runner_returns, salt.utils.job.store_job): its load {id, tgt, jid,
// return, fun, user} under the master's id, no targeted minions, and the
// master's return {"return": data}. A master whose job_cache is off, or
// a cache that cannot be written, keeps nothing.
func (r *runCmd) storeJob(jid, fun, runUser string, data body.Map) {
	if !r.cfg.JobCache {
		return
	}
	if v, ok := r.cfg.Raw["runner_returns"].(bool); ok && !v {
		return
	}
	if _, err := os.Stat(filepath.Join(r.cfg.Cachedir, "jobs")); err != nil {
		r.log.Debugf("Not storing runner job %s: %v", jid, err)
		return
	}
	cache, err := job.OpenCache(r.cfg.Cachedir, r.cfg.HashType)
	if err == nil {
		id := r.cfg.ID
		load := body.Map{{Key: "id", Value: id}, {Key: "tgt", Value: id}, {Key: "jid", Value: jid},
			{Key: "return", Value: data}, {Key: "fun", Value: "runner." + fun},
			{Key: "user", Value: runUser}}
		if err = cache.SaveLoad(jid, load, []string{}); err == nil {
			err = cache.SaveReturn(jid, id, body.Map{{Key: "return", Value: data}})
		}
	}
	if err != nil {
		r.log.Errorf("Could not store job cache info. Job details for this run may be unavailable. (%v)", err)
	}
}

// connect opens a client on the master's lane with the master's access
// key, as salt-raet does.
func (r *runCmd) connect() (*client.LocalClient, error) {
	cfg := r.cfg
	runUser, keyUser := cli.Users(cfg.User)
	keyPath := filepath.Join(cfg.Cachedir, "."+keyUser+"_key")
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("cannot read the master's access key for user %s: %w (run %s as the user the master runs as)", keyUser, err, prog)
	}
	var cache *job.Cache
	if _, err := os.Stat(filepath.Join(cfg.Cachedir, "jobs")); err == nil {
		cache, _ = job.OpenCache(cfg.Cachedir, cfg.HashType)
	}
	return client.New(client.Config{
		SockDir:          cfg.SockDir,
		Key:              string(key),
		KeyFile:          keyPath,
		JobCache:         cache,
		User:             runUser,
		GatherJobTimeout: time.Duration(cfg.GatherJobTimeout) * time.Second,
		ReplyTimeout:     max(time.Duration(cfg.Timeout)*time.Second, 5*time.Second),
		Log:              r.log,
	})
}

// eventFirer fires the run's events on the master's bus. A master that
// cannot be reached loses them, as Salt's event does, and the runner
// still runs.
type eventFirer struct {
	env    *runner.Env
	log    interface{ Debugf(string, ...any) }
	failed bool
}

func (e *eventFirer) fire(tag string, data body.Map) {
	if e.failed {
		return
	}
	c, err := e.env.Client()
	if err == nil {
		err = c.FireEvent(tag, slices.Clone(data))
	}
	if err != nil {
		e.failed = true
		if !errors.Is(err, context.Canceled) {
			e.log.Debugf("The event %s was not fired: %v", tag, err)
		}
	}
}

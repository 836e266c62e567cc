package master

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"

	"github.com/saltraet/saltraet/pkg/raet/body"
	saltclient "github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// reactorInternal are the keys of a reaction that are not arguments of its
// function (REACTOR_INTERNAL_KEYWORDS, with tgt and the arguments' own).
var reactorInternal = map[string]bool{"__id__": true, "__sls__": true, "name": true, "order": true,
	"fun": true, "key": true, "state": true, "arg": true, "kwarg": true, "args": true,
	"tgt": true, "tgt_type": true, "expr_form": true, "ret": true}

// call runs one reaction (ReactWrap.run); a failure is logged, naming the
// reaction's id and sls file.
func (r *reactor) call(low body.Map) {
	written, _ := low.String("state")
	state := reactionTypes[written] // cmd is local
	low.Set("state", state)
	fun, _ := low.String("fun")
	id, _ := low.String("__id__")
	sls, _ := low.String("__sls__")
	arg, kwarg, err := r.reactionArgs(low, id, sls)
	if err == nil {
		switch state {
		case "local":
			err = r.local(low, fun, arg, kwarg)
		case "runner":
			err = r.runRunner(fun, arg, kwarg)
		case "wheel":
			err = r.runWheel(fun, arg, kwarg)
		}
	}
	if err != nil {
		r.m.stats.Add("reactor_error")
		r.m.log.Errorf("Reactor '%s' (%s) failed to execute %s '%s': %v", id, sls, state, fun, err)
		return
	}
	r.m.stats.Add("reaction")
}

// reactionArgs reads a reaction's arguments: Salt 3006's args (keyword
// arguments, a mapping or a list of one-key mappings), or the old arg and
// kwarg; for a runner or wheel reaction with neither, every key of the
// reaction that is not the reactor's own is a keyword argument.
func (r *reactor) reactionArgs(low body.Map, id, sls string) (arg []any, kwarg body.Map, err error) {
	if args, ok := low.Get("args"); ok {
		for _, item := range []string{"arg", "kwarg"} {
			if v, ok := low.Get(item); ok {
				r.m.log.Warnf("Reactor '%s' (%s) is ignoring '%s' param %v due to presence of 'args' param. "+
					"Check the Reactor System documentation for the correct argument format.", id, sls, item, v)
			}
		}
		kwarg = repackDictlist(args)
		if len(kwarg) == 0 && args != nil {
			return nil, nil, errors.New("incorrect argument format, check the Reactor System documentation for the correct format")
		}
		return []any{}, kwarg, nil
	}
	switch v, _ := low.Get("arg"); v := v.(type) {
	case nil:
	case []any:
		arg = v
	default:
		arg = []any{v}
	}
	if v, ok := low.Get("kwarg"); ok {
		if kwarg, ok = v.(body.Map); !ok && v != nil {
			return nil, nil, fmt.Errorf("kwarg is %T, not a mapping", v)
		}
	}
	if state, _ := low.String("state"); state != "local" && !low.Has("arg") && !low.Has("kwarg") {
		for _, it := range low {
			if !reactorInternal[it.Key] {
				kwarg = append(kwarg, it)
			}
		}
	}
	return arg, kwarg, nil
}

// repackDictlist is salt.utils.data.repack_dictlist: a mapping as it is, a
// list of mappings merged; anything else is nothing.
func repackDictlist(v any) body.Map {
	switch v := v.(type) {
	case body.Map:
		return v
	case []any:
		var out body.Map
		for _, e := range v {
			m, ok := e.(body.Map)
			if !ok {
				return nil
			}
			for _, it := range m {
				out.Set(it.Key, it.Value)
			}
		}
		return out
	}
	return nil
}

// callArgs is salt.utils.args.condition_input: the positional arguments,
// then the keyword arguments as one {"__kwarg__": true, ...} mapping.
func callArgs(arg []any, kwarg body.Map) []any {
	out := append([]any{}, arg...)
	if len(kwarg) > 0 {
		kw := append(body.Map{{Key: job.KwargKey, Value: true}}, kwarg...)
		out = append(out, kw)
	}
	return out
}

// local publishes the job of a local reaction (LocalClient.cmd_async), as
// the master publishes a client's: with the master user's access key.
func (r *reactor) local(low body.Map, fun string, arg []any, kwarg body.Map) error {
	tgt, ok := low.Get("tgt")
	if !ok {
		return errors.New("it has no tgt")
	}
	tgtType, _ := low.String("tgt_type")
	if tgtType == "" {
		tgtType, _ = low.String("expr_form")
	}
	ret, _ := low.String("ret")
	key, who := r.m.keys.forReactor(r.m.cfg.User)
	load := job.PublishLoad(job.Publish{Tgt: tgt, Fun: fun, Arg: callArgs(arg, kwarg), Key: key,
		TgtType: tgtType, Ret: ret, User: who})
	r.m.publish(load, "")
	return nil
}

// forReactor is the access key and user the reactor publishes with: the
// user running the master, as Salt's LocalClient in the reactor is, else
// the configured one.
func (a *accessKeys) forReactor(configured string) (key, who string) {
	if u, err := user.Current(); err == nil {
		if k, ok := a.byUser[u.Username]; ok {
			return k, u.Username
		}
	}
	return a.byUser[configured], configured
}

// runRunner runs a runner reaction in the master's process
// (RunnerClient.low), firing salt/run/<jid>/new and .../ret as Salt does,
// under the user Reactor.
func (r *reactor) runRunner(fun string, arg []any, kwarg body.Map) error {
	args := callArgs(arg, kwarg)
	jid := r.m.opts.jids.Next()
	tag := "salt/run/" + jid
	data := body.Map{{Key: "fun", Value: "runner." + fun}, {Key: "fun_args", Value: funArgs(arg, kwarg)},
		{Key: "jid", Value: jid}, {Key: "user", Value: ReactorUser}}
	r.m.ev.fire(tag+"/new", data)
	res := r.runnerFunc()(r.ctx, fun, args)
	r.m.ev.fire(tag+"/ret", append(data[:len(data):len(data)],
		body.Item{Key: "return", Value: res.Return}, body.Item{Key: "success", Value: res.Success}))
	if res.Raised || !res.Success {
		return fmt.Errorf("%v", res.Return)
	}
	return nil
}

// funArgs is the fun_args of a runner's events: the positional arguments,
// then the keyword arguments as one mapping.
func funArgs(arg []any, kwarg body.Map) []any {
	out := append([]any{}, arg...)
	if len(kwarg) > 0 {
		out = append(out, kwarg)
	}
	return out
}

// runnerFunc is the reactor's runners: the option's, else pkg/salt/runner's
// on a client of the master's own lane.
func (r *reactor) runnerFunc() RunnerFunc {
	if r.runner != nil {
		return r.runner
	}
	r.once.Do(func() {
		cfg := r.m.cfg
		key, who := r.m.keys.forReactor(cfg.User)
		env := &runner.Env{Opts: cfg, Out: io.Discard, User: ReactorUser,
			Connect: func() (*saltclient.LocalClient, error) {
				return saltclient.New(saltclient.Config{SockDir: cfg.SockDir, Lane: cfg.LaneName(), Key: key,
					KeyFile: AccessKeyPath(cfg.Cachedir, who), JobCache: r.m.cache, User: who})
			}}
		r.env = env
		rs := runner.New(env)
		r.runners = func(ctx context.Context, fun string, args []any) modules.Result {
			if !rs.Has(fun) {
				return modules.Result{Return: fmt.Sprintf("'%s' is not available.", fun), Retcode: 1, Raised: true}
			}
			return rs.Run(ctx, fun, args)
		}
	})
	return r.runners
}

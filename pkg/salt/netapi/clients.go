package netapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// stampLayout is _stamp's: datetime.utcnow().isoformat().
const stampLayout = "2006-01-02T15:04:05.000000"

func stamp() string { return time.Now().UTC().Format(stampLayout) }

// credKeys are the lowstate keys that carry credentials: they go to the
// master with a publish (in its kwargs, where ClearFuncs.publish reads
// them) and never to a function.
var credKeys = []string{"token", "eauth", "username", "password"}

// creds are the low's credentials, as the publish's kwargs.
func creds(low body.Map) body.Map {
	out := body.Map{}
	for _, k := range credKeys {
		if v, ok := low.Get(k); ok {
			out = append(out, body.Item{Key: k, Value: v})
		}
	}
	return out
}

// withKwarg is condition_input: the arguments, then the kwarg mapping
// marked __kwarg__ when there is one.
func withKwarg(arg []any, kwarg body.Map) []any {
	out := slices.Clone(arg)
	if len(kwarg) > 0 {
		out = append(out, append(body.Map{{Key: job.KwargKey, Value: true}}, kwarg...))
	}
	return out
}

func lowList(low body.Map, key string) []any {
	v, _ := low.Get(key)
	if l, ok := v.([]any); ok {
		return l
	}
	return nil
}

func lowMap(low body.Map, key string) body.Map {
	m, _ := low.Map(key)
	return m
}

// timeoutOf is the low's timeout in seconds, else def.
func timeoutOf(low body.Map, def time.Duration) time.Duration {
	v, _ := low.Get("timeout")
	switch t := v.(type) {
	case string:
		if f, err := strconv.ParseFloat(t, 64); err == nil && f > 0 {
			return time.Duration(f * float64(time.Second))
		}
	default:
		if f, ok := toFloat(t); ok && f > 0 {
			return time.Duration(f * float64(time.Second))
		}
	}
	return def
}

// publishError is what LocalClient.pub raises for the master's answer:
// AuthenticationError and AuthorizationError as themselves (401), no
// master as SaltDaemonNotRunning or SaltReqTimeoutError (503), anything
// else an unexpected error.
func publishError(err error) error {
	var pe *client.PublishError
	switch {
	case errors.As(err, &pe):
		return &SaltError{Name: pe.Name, Message: pe.Message}
	case errors.Is(err, client.ErrNoMaster):
		return &SaltError{Name: SaltDaemonNotRunning, Message: "Salt Master is not available."}
	case errors.Is(err, client.ErrNoReply):
		return &SaltError{Name: SaltReqTimeoutError, Message: "Salt request timed out. The master is not responding."}
	}
	return err
}

// local is the local clients: LocalClient.cmd (each returning minion's
// return, by id), run_job ({jid, minions}), cmd_batch (each minion's
// return, a window at a time).
func (b *SaltBackend) local(ctx context.Context, name string, low body.Map) (any, error) {
	c, err := b.Client()
	if err != nil {
		return nil, err
	}
	tgt, _ := low.Get("tgt")
	fun, _ := low.Get("fun")
	if tgt == nil || fun == nil {
		// Salt's LocalClient.cmd raises a TypeError here, answered 500.
		return nil, &SaltError{Name: SaltInvocationError, Message: "Missing arguments: the " + name + " client needs tgt and fun"}
	}
	tgtType, _ := low.Get("tgt_type")
	tt, _ := tgtType.(string)
	ret, _ := low.Get("ret")
	rs, _ := ret.(string)
	p := job.Publish{Tgt: tgt, Fun: fun, Arg: withKwarg(lowList(low, "arg"), lowMap(low, "kwarg")), TgtType: tt, Ret: rs, Kwargs: creds(low)}
	if p.Arg == nil {
		p.Arg = []any{}
	}
	if name == "local_batch" {
		return b.batch(ctx, c, p, low)
	}
	jid, minions, err := c.PublishJob(ctx, p)
	if errors.Is(err, client.ErrNoMinions) {
		return body.Map{}, nil
	}
	if err != nil {
		return nil, publishError(err)
	}
	if name == "local_async" {
		return body.Map{{Key: "jid", Value: jid}, {Key: "minions", Value: minions}}, nil
	}
	full, _ := low.Get("full_return")
	out := body.Map{}
	for r := range c.Returns(ctx, jid, minions, timeoutOf(low, time.Duration(b.opts.Timeout)*time.Second)) {
		if r.Missing != "" {
			continue
		}
		out = append(out, body.Item{Key: r.ID, Value: minionReturn(r, py.Truthy(full))})
	}
	return out, nil
}

// minionReturn is a return as cmd gives it: the return, or with
// full_return get_iter_returns' {ret, out (when the return names one),
// retcode, jid}.
func minionReturn(r client.Return, full bool) any {
	if !full {
		return r.Ret
	}
	m := body.Map{{Key: "ret", Value: r.Ret}}
	if r.Out != "" {
		m = append(m, body.Item{Key: "out", Value: r.Out})
	}
	return append(m, body.Item{Key: "retcode", Value: r.Retcode}, body.Item{Key: "jid", Value: r.JID})
}

// batch is cmd_batch: the targeted minions found by a test.ping, then the
// job published to a window of them at a time (batch: a count or a
// percentage, 10% by default), each minion's return a mapping of its own.
func (b *SaltBackend) batch(ctx context.Context, c *client.LocalClient, p job.Publish, low body.Map) (any, error) {
	timeout := timeoutOf(low, time.Duration(b.opts.Timeout)*time.Second)
	ping := p
	ping.Fun, ping.Arg = "test.ping", []any{}
	jid, minions, err := c.PublishJob(ctx, ping)
	if errors.Is(err, client.ErrNoMinions) {
		return Iterated{}, nil
	}
	if err != nil {
		return nil, publishError(err)
	}
	var up []string
	for r := range c.Returns(ctx, jid, minions, timeout) {
		if r.Missing == "" {
			up = append(up, r.ID)
		}
	}
	slices.Sort(up)
	size := batchSize(low, len(up))
	out := Iterated{}
	for start := 0; start < len(up); start += size {
		win := up[start:min(start+size, len(up))]
		w := p
		w.Tgt, w.TgtType = toAny(win), "list"
		jid, minions, err := c.PublishJob(ctx, w)
		if err != nil {
			return nil, publishError(err)
		}
		for r := range c.Returns(ctx, jid, minions, timeout) {
			if r.Missing == "" {
				out = append(out, body.Map{{Key: r.ID, Value: r.Ret}})
			}
		}
	}
	return out, nil
}

func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// batchSize reads batch: a count, or a percentage of n; at least 1.
func batchSize(low body.Map, n int) int {
	v, _ := low.Get("batch")
	s := strings.TrimSpace(fmt.Sprint(v))
	if v == nil || s == "" {
		s = "10%"
	}
	size := 0
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		if f, err := strconv.ParseFloat(pct, 64); err == nil {
			size = int(f / 100 * float64(n))
		}
	} else if i, err := strconv.Atoi(s); err == nil {
		size = i
	}
	return max(size, 1)
}

// runnerReserved are the low's keys RunnerClient._reformat_low and
// NetapiClient.runner take for themselves; the others are the runner's
// keyword arguments.
var runnerReserved = []string{"client", "fun", "arg", "kwarg", "timeout", "full_return", "token", "eauth", "username", "password", "user", "key"}

// runnerArgs are _reformat_low's: arg through parse_input, then kwarg and
// the low's other keys as keyword arguments, those the runner does not
// take dropped (load_args_and_kwargs with ignore_invalid).
func runnerArgs(rs *runner.Runners, fun string, low body.Map) []any {
	parsed := job.ParseArgs(lowList(low, "arg"))
	var pos []any
	kw := body.Map{}
	for _, a := range parsed {
		if m, ok := a.(body.Map); ok && m.Has(job.KwargKey) {
			for _, it := range m {
				if it.Key != job.KwargKey {
					kw.Set(it.Key, it.Value)
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	for _, it := range lowMap(low, "kwarg") {
		kw.Set(it.Key, it.Value)
	}
	for _, it := range low {
		if !slices.Contains(runnerReserved, it.Key) {
			kw.Set(it.Key, it.Value)
		}
	}
	keep := body.Map{{Key: job.KwargKey, Value: true}}
	for _, it := range kw {
		if rs.Accepts(fun, it.Key) {
			keep = append(keep, it)
		}
	}
	if len(keep) > 1 {
		pos = append(pos, keep)
	}
	if pos == nil {
		pos = []any{}
	}
	return pos
}

// runner is the runner clients: after the runner ACL, the runner run in
// this process as a job (salt/run/<jid>/new and /ret fired); runner waits
// and returns its return (or the whole event data with full_return),
// runner_async returns {tag, jid} at once.
func (b *SaltBackend) runner(ctx context.Context, async bool, low body.Map) (any, error) {
	user, err := b.checkClearFunc(low, "runner")
	if err != nil {
		return nil, err
	}
	fv, _ := low.Get("fun")
	fun, _ := fv.(string)
	jid := b.jids.Next()
	env := &runner.Env{Opts: b.opts, Connect: b.Client, Out: io.Discard, User: user}
	rs := runner.New(env)
	env.Fire = func(suffix string, d body.Map) { _ = b.Fire("salt/run/"+jid+"/"+suffix, d) }
	call := func(ctx context.Context, args []any) modules.Result { return rs.Run(ctx, fun, args) }
	var args []any
	switch {
	case fun == "auth.mk_token":
		// The auth runner, which /token calls: Resolver.mk_token of its
		// keyword arguments, {} when they do not authenticate.
		kw := lowMap(low, "kwarg")
		shown := append(body.Map{{Key: job.KwargKey, Value: true}}, kw...)
		shown.Delete("password") // fired and kept in the job cache: never the password
		args = []any{shown}
		call = func(context.Context, []any) modules.Result {
			tok, err := b.MkToken(kw)
			if err != nil {
				return modules.Result{Return: err.Error(), Raised: true, Retcode: 1}
			}
			if tok == nil {
				tok = body.Map{}
			}
			return modules.Result{Return: tok}
		}
	case !rs.Has(fun):
		return nil, &SaltError{Name: SaltInvocationError, Message: fmt.Sprintf("'%s' is not available.", fun)}
	default:
		args = runnerArgs(rs, fun, low)
	}
	data := body.Map{{Key: "fun", Value: "runner." + fun}, {Key: "jid", Value: jid}, {Key: "user", Value: user},
		{Key: "fun_args", Value: args}, {Key: "_stamp", Value: stamp()}}
	_ = b.Fire("salt/run/"+jid+"/new", data)
	run := func(ctx context.Context) body.Map {
		r := call(ctx, args)
		var ret any = r.Return
		if r.Raised {
			ret = fmt.Sprintf("Exception occurred in runner %s: %v", fun, r.Return)
		}
		out := append(data[:len(data):len(data)], body.Item{Key: "return", Value: ret},
			body.Item{Key: "success", Value: !r.Raised && r.Retcode == 0})
		b.storeJob(jid, "runner."+fun, user, out)
		out.Set("_stamp", stamp())
		_ = b.Fire("salt/run/"+jid+"/ret", out)
		return out
	}
	if async {
		go run(context.Background())
		return body.Map{{Key: "tag", Value: "salt/run/" + jid}, {Key: "jid", Value: jid}}, nil
	}
	out := run(ctx)
	if full, _ := low.Get("full_return"); py.Truthy(full) {
		return out, nil
	}
	ret, _ := out.Get("return")
	return ret, nil
}

// wheelReserved are the low's keys that are not a wheel function's.
var wheelReserved = []string{"client", "fun", "arg", "kwarg", "token", "eauth", "username", "password", "user", "key", "full_return", "timeout"}

// wheelCall is the wheel clients: ClearFuncs.wheel after the wheel ACL,
// salt/wheel/<jid>/new and /ret fired, {tag, data} returned (wheel_async:
// {tag, jid} at once).
func (b *SaltBackend) wheelCall(async bool, low body.Map) (any, error) {
	user, err := b.checkClearFunc(low, "wheel")
	if err != nil {
		return nil, err
	}
	fv, _ := low.Get("fun")
	fun, _ := fv.(string)
	kw := append(body.Map(nil), lowMap(low, "kwarg")...)
	for _, it := range low {
		if !slices.Contains(wheelReserved, it.Key) {
			kw.Set(it.Key, it.Value)
		}
	}
	jid := b.jids.Next()
	tag := "salt/wheel/" + jid
	data := body.Map{{Key: "fun", Value: "wheel." + fun}, {Key: "jid", Value: jid}, {Key: "tag", Value: tag},
		{Key: "user", Value: user}, {Key: "_stamp", Value: stamp()}}
	_ = b.Fire(tag+"/new", data)
	call := func() body.Map {
		ret, err := b.wheel.Call(fun, lowList(low, "arg"), kw)
		var shown any = ret
		if err != nil {
			shown = fmt.Sprintf("Exception occurred in wheel %s: %v", fun, err)
		}
		out := append(data[:len(data):len(data)], body.Item{Key: "return", Value: shown}, body.Item{Key: "success", Value: err == nil})
		b.storeJob(jid, "wheel."+fun, user, out)
		_ = b.Fire(tag+"/ret", out)
		return out
	}
	if async {
		go call()
		return body.Map{{Key: "tag", Value: tag}, {Key: "jid", Value: jid}}, nil
	}
	return body.Map{{Key: "tag", Value: tag}, {Key: "data", Value: call()}}, nil
}

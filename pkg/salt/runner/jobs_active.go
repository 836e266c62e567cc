package runner

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// active is jobs.active: saltutil.running published to every minion
// (client.cmd('*', 'saltutil.running', timeout=opts timeout)), and for
// each job a minion runs, its fields from the proc record, StartTime,
// "Running": [{minion: pid}] and "Returned": the minions whose returns
// the job cache holds.
func (j *jobsRunner) active(c *modules.Call) (any, error) {
	progress := truthy(c.Arg("display_progress"))
	running, err := j.running(c)
	if err != nil {
		if c.Ctx.Err() != nil {
			return nil, err
		}
		// Salt prints a SaltClientError (no master, no answer) and
		// returns no job.
		if j.env.Out != nil {
			fmt.Fprintln(j.env.Out, err)
		}
		return body.Map{}, nil
	}
	if progress {
		ids := make([]any, 0, len(running))
		for _, it := range running {
			ids = append(ids, it.Key)
		}
		j.progress(fmt.Sprintf("Attempting to contact minions: %s", output.Repr(ids)))
	}
	ret := body.Map{}
	for _, it := range running {
		if progress {
			j.progress("Received reply from minion " + it.Key)
		}
		procs, ok := it.Value.([]any)
		if !ok {
			continue
		}
		for _, p := range procs {
			rec := asMap(p)
			jidV, _ := rec.Get("jid")
			jid := jidText(jidV)
			pid, _ := rec.Get("pid")
			entry := body.Map{{Key: it.Key, Value: pid}}
			if prev, ok := ret.Map(jid); ok {
				run, _ := prev.Get("Running")
				l, _ := run.([]any)
				prev.Set("Running", append(l, entry))
				ret.Set(jid, prev)
				continue
			}
			inst := formatJIDInstance(jid, rec, true)
			inst = append(inst, body.Item{Key: "Running", Value: []any{entry}}, body.Item{Key: "Returned", Value: []any{}})
			ret = append(ret, body.Item{Key: jid, Value: inst})
		}
	}
	return j.addReturned(ret)
}

// running asks every minion for saltutil.running and gives the returns
// by minion, in id order; no minion matched is no job running.
func (j *jobsRunner) running(c *modules.Call) (body.Map, error) {
	cl, err := j.env.Client()
	if err != nil {
		return nil, err
	}
	timeout := 5 * time.Second
	if j.env.Opts != nil && j.env.Opts.Timeout > 0 {
		timeout = time.Duration(j.env.Opts.Timeout) * time.Second
	}
	kwargs := job.CLIKwargs(true, false, job.DefaultTargetDelim, true)
	jid, minions, err := cl.Publish(c.Ctx, "*", "glob", "saltutil.running", nil, kwargs)
	if errors.Is(err, client.ErrNoMinions) {
		return body.Map{}, nil
	}
	if err != nil {
		return nil, err
	}
	var out body.Map
	for r := range cl.Returns(c.Ctx, jid, minions, timeout) {
		if r.Missing == "" {
			out = append(out, body.Item{Key: r.ID, Value: r.Ret})
		}
	}
	if err := c.Ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b body.Item) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return out, nil
}

// addReturned fills each job's "Returned" from the job cache (get_jid).
func (j *jobsRunner) addReturned(ret body.Map) (any, error) {
	if len(ret) == 0 {
		return ret, nil
	}
	cache, err := j.cache(nil, "get_jid")
	if err != nil {
		return nil, err
	}
	for i, it := range ret {
		inst := it.Value.(body.Map)
		rets, err := getJID(cache, it.Key)
		if err != nil {
			return nil, err
		}
		returned := []any{}
		for _, r := range rets {
			returned = append(returned, r.Key)
		}
		inst.Set("Returned", returned)
		ret[i].Value = inst
	}
	return ret, nil
}

// asMap reads a proc record, which may come as a Map or a Go map.
func asMap(v any) body.Map {
	switch m := v.(type) {
	case body.Map:
		return m
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make(body.Map, 0, len(m))
		for _, k := range keys {
			out = append(out, body.Item{Key: k, Value: m[k]})
		}
		return out
	}
	return body.Map{}
}

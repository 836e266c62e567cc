package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// The jobs runner (salt/runners/jobs.py of Salt 3006) over the master's
// local job cache (salt/returners/local_cache.py): the files are read
// here, in the salt-run process, as Salt's runner reads them.

// localCache is the one master_job_cache this suite has.
const localCache = "local_cache"

// noJobError is _format_job_instance's entry for a job without a load.
const noJobError = "Cannot contact returner or no job with this jid"

func jobsFuncs(env *Env) []modules.Func {
	j := &jobsRunner{env: env}
	extSource := modules.Param{Name: "ext_source"}
	progress := modules.Param{Name: "display_progress", Default: false}
	return []modules.Func{
		{Name: "jobs.lookup_jid", Doc: docLookupJID, Call: j.lookupJID, Params: []modules.Param{
			{Name: "jid", Required: true}, extSource, {Name: "returned", Default: true},
			{Name: "missing", Default: false}, progress}},
		{Name: "jobs.list_job", Doc: docListJob, Call: j.listJobCall, Params: []modules.Param{
			{Name: "jid", Required: true}, extSource, progress}},
		{Name: "jobs.list_jobs", Doc: docListJobs, Call: j.listJobsCall, Params: []modules.Param{
			extSource, {Name: "outputter"}, {Name: "search_metadata"}, {Name: "search_function"},
			{Name: "search_target"}, {Name: "start_time"}, {Name: "end_time"}, progress}},
		{Name: "jobs.print_job", Doc: docPrintJob, Call: j.printJob, Params: []modules.Param{
			{Name: "jid", Required: true}, extSource}},
		{Name: "jobs.exit_success", Doc: docExitSuccess, Call: j.exitSuccess, Params: []modules.Param{
			{Name: "jid", Required: true}, extSource}},
		{Name: "jobs.last_run", Doc: docLastRun, Call: j.lastRun, Params: []modules.Param{
			extSource, {Name: "outputter"}, {Name: "metadata"}, {Name: "function"}, {Name: "target"}, progress}},
		{Name: "jobs.active", Doc: docActive, Call: j.active, Params: []modules.Param{progress}},
		{Name: "jobs.list_jobs_filter", Doc: docListJobsFilter, Call: j.listJobsFilter, Params: []modules.Param{
			{Name: "count", Required: true}, {Name: "filter_find_job", Default: true}, extSource, {Name: "outputter"}, progress}},
	}
}

type jobsRunner struct{ env *Env }

// cache opens the job cache a runner reads: ext_job_cache, else the
// ext_source asked for, else master_job_cache (_get_returner). Only
// local_cache exists here; Salt fails on a returner it cannot load with a
// KeyError naming the function, and so does this.
func (j *jobsRunner) cache(extSource any, fun string) (*job.Cache, error) {
	opts := j.env.Opts
	returner := localCache
	if opts != nil && opts.MasterJobCache != "" {
		returner = opts.MasterJobCache
	}
	if s, _ := extSource.(string); s != "" {
		returner = s
	}
	if opts != nil {
		if s, _ := opts.Raw["ext_job_cache"].(string); s != "" {
			returner = s
		}
	}
	if returner != localCache {
		return nil, &modules.Exception{Type: "KeyError", Msg: fmt.Sprintf("'%s.%s'", returner, fun)}
	}
	if opts == nil {
		return nil, errors.New("no master configuration")
	}
	return job.OpenCache(opts.Cachedir, opts.HashType)
}

// jidText is the jid a runner was given, as Salt's jid_dir makes it
// (str(jid)): salt-run's argument parsing gives short numbers as ints.
func jidText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	return output.Raw(v)
}

// getLoad is local_cache.get_load: the job's load with "Minions", the
// sorted targeted minions, when .minions.p lists any; an empty map when
// the job or its load is not there.
func getLoad(c *job.Cache, jid string) (body.Map, error) {
	load, err := c.LoadLoad(jid)
	if errors.Is(err, fs.ErrNotExist) {
		return body.Map{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, filepath.Join(c.Dir(jid), job.LoadFile))
	}
	minions, err := c.Minions(jid)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s)", err, filepath.Join(c.Dir(jid), job.MinionsFile))
	}
	if len(minions) > 0 {
		slices.Sort(minions)
		ids := make([]any, 0, len(minions))
		for _, m := range slices.Compact(minions) {
			ids = append(ids, m)
		}
		load = append(slices.Clone(load), body.Item{Key: "Minions", Value: ids})
	}
	return load, nil
}

// getJID is local_cache.get_jid: the returns by minion, each the
// mapping of return.p with "out" when out.p is there. A return that cannot
// be read is an error naming its file (Salt would loop on it).
func getJID(c *job.Cache, jid string) (body.Map, error) {
	rets, err := c.Returns(jid)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, c.Dir(jid))
	}
	ids := make([]string, 0, len(rets))
	for id := range rets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make(body.Map, 0, len(ids))
	for _, id := range ids {
		out = append(out, body.Item{Key: id, Value: rets[id]})
	}
	return out, nil
}

// formatJobInstance is jobs._format_job_instance (withMinions) or
// salt.utils.jid.format_job_instance (without): the fields list_jobs and
// list_job show of a load.
func formatJobInstance(load body.Map, withMinions bool) body.Map {
	if withMinions && len(load) == 0 {
		return body.Map{{Key: "Error", Value: noJobError}}
	}
	get := func(k string, def any) any {
		if v, ok := load.Get(k); ok {
			return v
		}
		return def
	}
	ret := body.Map{
		{Key: "Function", Value: get("fun", "unknown-function")},
		{Key: "Arguments", Value: pyList(get("arg", []any{}))},
		{Key: "Target", Value: get("tgt", "unknown-target")},
		{Key: "Target-type", Value: get("tgt_type", "list")},
		{Key: "User", Value: get("user", "root")},
	}
	if md, ok := load.Get("metadata"); ok {
		ret = append(ret, body.Item{Key: "Metadata", Value: md})
	} else if kw, ok := load.Map("kwargs"); ok {
		if md, ok := kw.Get("metadata"); ok {
			ret = append(ret, body.Item{Key: "Metadata", Value: md})
		}
	}
	if withMinions {
		if m, ok := load.Get("Minions"); ok {
			ret = append(ret, body.Item{Key: "Minions", Value: m})
		}
	}
	return ret
}

// formatJIDInstance adds StartTime, the jid's time as jid_to_time writes it.
func formatJIDInstance(jid string, load body.Map, withMinions bool) body.Map {
	return append(formatJobInstance(load, withMinions), body.Item{Key: "StartTime", Value: job.FormatJIDTime(jid)})
}

// pyList is Python's list(x) for the values a load's arg can hold.
func pyList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return []any{}
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out
	case body.Map:
		out := make([]any, 0, len(x))
		for _, it := range x {
			out = append(out, it.Key)
		}
		return out
	}
	return []any{v}
}

// listJob is jobs.list_job: {"jid", the load's fields with Minions,
// StartTime, "Result": the returns}.
func (j *jobsRunner) listJob(jidArg, extSource any, progress bool) (body.Map, error) {
	c, err := j.cache(extSource, "get_load")
	if err != nil {
		return nil, err
	}
	if progress {
		j.progress("Querying returner: " + localCache)
	}
	jid := jidText(jidArg)
	load, err := getLoad(c, jid)
	if err != nil {
		return nil, err
	}
	ret := body.Map{{Key: "jid", Value: jidArg}}
	ret = append(ret, formatJIDInstance(jid, load, true)...)
	result, err := getJID(c, jid)
	if err != nil {
		return nil, err
	}
	return j.withEndTime(c, jid, append(ret, body.Item{Key: "Result", Value: result})), nil
}

// withEndTime adds "EndTime", the job's endtime file, when the master
// stores one (job_cache_store_endtime) and the job has it.
func (j *jobsRunner) withEndTime(c *job.Cache, jid string, m body.Map) body.Map {
	if j.env.Opts == nil || j.env.Opts.Raw["job_cache_store_endtime"] != true {
		return m
	}
	b, err := os.ReadFile(filepath.Join(c.Dir(jid), job.EndTimeFile))
	if err != nil || len(b) == 0 {
		return m
	}
	return append(m, body.Item{Key: "EndTime", Value: strings.Trim(string(b), "\n")})
}

func (j *jobsRunner) listJobCall(c *modules.Call) (any, error) {
	return j.listJob(c.Arg("jid"), c.Arg("ext_source"), truthy(c.Arg("display_progress")))
}

// lookupJID is jobs.lookup_jid: {minion: return} (returned), with
// "Minion did not return" for each targeted minion without a return
// (missing); wrapped as {"outputter", "data"} when the first return names
// an outputter, which salt-run then prints it with.
func (j *jobsRunner) lookupJID(c *modules.Call) (any, error) {
	progress := truthy(c.Arg("display_progress"))
	data, err := j.listJob(c.Arg("jid"), c.Arg("ext_source"), progress)
	if err != nil {
		return nil, err
	}
	returns, _ := data.Map("Result")
	var targeted []any
	if l, ok := data.Get("Minions"); ok {
		targeted, _ = l.([]any)
	}
	returned, missing := truthy(c.Arg("returned")), truthy(c.Arg("missing"))
	ret := body.Map{}
	for _, it := range returns {
		if progress {
			j.progress(it.Key)
		}
		if returned {
			m, _ := it.Value.(body.Map)
			v, _ := m.Get("return")
			ret = append(ret, body.Item{Key: it.Key, Value: v})
		}
	}
	if missing {
		for _, t := range targeted {
			id, _ := t.(string)
			if !returns.Has(id) && !ret.Has(id) {
				ret = append(ret, body.Item{Key: id, Value: "Minion did not return"})
			}
		}
	}
	if len(returns) > 0 {
		first, _ := returns[0].Value.(body.Map)
		if out, ok := first.Get("out"); ok && truthy(out) {
			return body.Map{{Key: "outputter", Value: out}, {Key: "data", Value: ret}}, nil
		}
	}
	return ret, nil
}

// printJob is jobs.print_job: {jid: the load's fields, StartTime and
// Result}.
func (j *jobsRunner) printJob(c *modules.Call) (any, error) {
	return j.printJobOf(c.Arg("jid"), c.Arg("ext_source"))
}

func (j *jobsRunner) printJobOf(jidArg, extSource any) (any, error) {
	c, err := j.cache(extSource, "get_load")
	if err != nil {
		return nil, err
	}
	jid := jidText(jidArg)
	load, err := getLoad(c, jid)
	if err != nil {
		return nil, err
	}
	inst := formatJIDInstance(jid, load, true)
	result, err := getJID(c, jid)
	if err != nil {
		return nil, err
	}
	inst = j.withEndTime(c, jid, append(inst, body.Item{Key: "Result", Value: result}))
	return body.Map{{Key: jid, Value: inst}}, nil
}

// exitSuccess is jobs.exit_success: for each targeted minion whether it
// returned a true value, and True for any other minion that did.
func (j *jobsRunner) exitSuccess(c *modules.Call) (any, error) {
	data, err := j.listJob(c.Arg("jid"), c.Arg("ext_source"), false)
	if err != nil {
		return nil, err
	}
	result, _ := data.Map("Result")
	ret := body.Map{}
	if l, ok := data.Get("Minions"); ok {
		ids, _ := l.([]any)
		for _, x := range ids {
			id, _ := x.(string)
			ok := false
			if r, _ := result.Map(id); r != nil {
				v, has := r.Get("return")
				ok = has && truthy(v)
			}
			ret.Set(id, ok)
		}
	}
	for _, it := range result {
		r, _ := it.Value.(body.Map)
		if v, has := r.Get("return"); has && truthy(v) {
			ret.Set(it.Key, true)
		}
	}
	return ret, nil
}

// truthy is Python's truth value of a runner argument or a return.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int:
		return x != 0
	case int64:
		return x != 0
	case uint64:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case body.Map:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// progress fires a progress event of the run (display_progress), which
// salt-run shows as {"suffix": "progress", "event": data}, nested; with no
// Env.Fire it is printed so to Env.Out.
func (j *jobsRunner) progress(msg string) {
	data := body.Map{{Key: "message", Value: msg}}
	if j.env.Fire != nil {
		j.env.Fire("progress", data)
		return
	}
	if j.env.Out == nil {
		return
	}
	data = append(data, body.Item{Key: "_stamp", Value: j.env.Clock.Now().UTC().Format("2006-01-02T15:04:05.000000")})
	ev := body.Map{{Key: "suffix", Value: "progress"}, {Key: "event", Value: data}}
	fmt.Fprintln(j.env.Out, output.Nested(ev, output.NestedOptions{}))
}

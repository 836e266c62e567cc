package runner

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// jobFilter is what jobs.list_jobs keeps: a job must match every filter
// given.
type jobFilter struct {
	metadata         any
	function, target any
	start, end       *time.Time
}

func (j *jobsRunner) listJobsCall(c *modules.Call) (any, error) {
	f := jobFilter{metadata: c.Arg("search_metadata"), function: c.Arg("search_function"), target: c.Arg("search_target")}
	for _, t := range []struct {
		arg string
		to  **time.Time
	}{{"start_time", &f.start}, {"end_time", &f.end}} {
		v := c.Arg(t.arg)
		if !truthy(v) {
			continue
		}
		at, err := parseTime(py.Str(v))
		if err != nil {
			return nil, err
		}
		*t.to = &at
	}
	return j.listJobs(c.Arg("ext_source"), c.Arg("outputter"), f, truthy(c.Arg("display_progress")))
}

// listJobs is jobs.list_jobs: every job of the cache (local_cache.get_jids:
// each job with a load), by jid, that matches the filter; wrapped as
// {"outputter", "data"} when an outputter is asked for. Jobs are in jid
// order (Salt's are in directory order, which is no order).
func (j *jobsRunner) listJobs(extSource, outputter any, f jobFilter, progress bool) (any, error) {
	c, err := j.cache(extSource, "get_jids")
	if err != nil {
		return nil, err
	}
	if progress {
		j.progress("Querying returner " + localCache + " for jobs.")
	}
	jids, err := c.Jobs()
	if err != nil {
		return nil, err
	}
	ret := body.Map{}
	for _, jid := range jids {
		load, err := c.LoadLoad(jid)
		if err != nil {
			// _walk_through skips a job without a load, and logs and
			// skips one it cannot read.
			continue
		}
		inst := j.withEndTime(c, jid, formatJIDInstance(jid, load, false))
		if f.match(inst) {
			ret = append(ret, body.Item{Key: jid, Value: inst})
		}
	}
	if truthy(outputter) {
		return body.Map{{Key: "outputter", Value: outputter}, {Key: "data", Value: ret}}, nil
	}
	return ret, nil
}

// match applies list_jobs' filters to one job's fields.
func (f jobFilter) match(inst body.Map) bool {
	if truthy(f.metadata) && !matchMetadata(f.metadata, inst) {
		return false
	}
	if truthy(f.target) {
		tgt, ok := inst.Get("Target")
		if !ok || !anyGlob(targets(tgt), splitInput(f.target)) {
			return false
		}
	}
	if truthy(f.function) {
		fun, ok := inst.Get("Function")
		if !ok || !anyGlob([]string{py.Str(fun)}, splitInput(f.function)) {
			return false
		}
	}
	if f.start != nil || f.end != nil {
		st, _ := inst.String("StartTime")
		at, err := parseTime(st)
		if err != nil {
			return false
		}
		if f.start != nil && at.Before(*f.start) || f.end != nil && at.After(*f.end) {
			return false
		}
	}
	return true
}

// matchMetadata: any key of the search mapping whose value equals the
// job's Metadata entry. A search that is not a mapping matches nothing
// (Salt logs that it ignores it, yet drops every job).
func matchMetadata(search any, inst body.Map) bool {
	md, ok := inst.Map("Metadata")
	if !ok {
		return false
	}
	s, ok := search.(body.Map)
	if !ok {
		return false
	}
	for _, it := range s {
		if v, ok := md.Get(it.Key); ok && py.Repr(v) == py.Repr(it.Value) {
			return true
		}
	}
	return false
}

// targets is a job's Target as a list of strings.
func targets(tgt any) []string {
	if l, ok := tgt.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, py.Str(x))
		}
		return out
	}
	return []string{py.Str(tgt)}
}

// splitInput is salt.utils.args.split_input: a list as it is, anything
// else split at commas and stripped.
func splitInput(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, py.Str(x))
		}
		return out
	}
	parts := strings.Split(py.Str(v), ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

func anyGlob(names, pats []string) bool {
	for _, n := range names {
		if slices.ContainsFunc(pats, func(p string) bool { return py.Fnmatch(n, p) }) {
			return true
		}
	}
	return false
}

// timeLayouts are the forms of a time list_jobs' start_time and end_time
// take (Salt parses them with dateutil, which takes many more): the
// StartTime form jid_to_time writes, ISO 8601, and a date alone.
var timeLayouts = []string{
	"2006, Jan 02 15:04:05.999999", "2006, Jan 2 15:04:05.999999", "2006, Jan 02 15:04:05",
	"2006, Jan 2 15:04:05", "2006, Jan 02 15:04", "2006, Jan 2 15:04", "2006, Jan 02", "2006, Jan 2",
	"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05",
	"2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
	"Jan 02 2006 15:04:05", "Jan 2 2006 15:04", "02 Jan 2006 15:04:05", "2 Jan 2006 15:04",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02",
}

// parseTime reads a time in one of timeLayouts, as a naive time (UTC
// here), the way dateutil compares them; anything else is dateutil's
// ParserError.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &modules.Exception{Type: "dateutil.parser._parser.ParserError", Msg: "Unknown string format: " + s}
}

// lastRun is jobs.last_run: print_job of the newest job list_jobs keeps
// with these filters, or False when there is none. A metadata that is not
// a mapping gives False, as in Salt.
func (j *jobsRunner) lastRun(c *modules.Call) (any, error) {
	md := c.Arg("metadata")
	if truthy(md) {
		if _, ok := md.(body.Map); !ok {
			return false, nil
		}
	}
	f := jobFilter{metadata: md, function: c.Arg("function"), target: c.Arg("target")}
	all, err := j.listJobs(c.Arg("ext_source"), c.Arg("outputter"), f, truthy(c.Arg("display_progress")))
	if err != nil {
		return nil, err
	}
	m, _ := all.(body.Map)
	if len(m) == 0 {
		return false, nil
	}
	keys := m.Keys()
	slices.Sort(keys) // sorted(_all_jobs)[-1]: with an outputter, "outputter", as in Salt
	return j.printJobOf(keys[len(keys)-1], c.Arg("ext_source"))
}

// listJobsFilter is jobs.list_jobs_filter (local_cache.get_jids_filter):
// the count newest jobs, oldest first, each with its "JID", leaving out
// saltutil.find_job unless filter_find_job is false.
func (j *jobsRunner) listJobsFilter(c *modules.Call) (any, error) {
	count, ok := c.Arg("count").(int64)
	if !ok {
		if n, isInt := c.Arg("count").(int); isInt {
			count, ok = int64(n), true
		}
	}
	if !ok {
		return nil, &modules.Exception{Type: "TypeError", Msg: fmt.Sprintf("count must be an integer, not %s", py.Repr(c.Arg("count")))}
	}
	cache, err := j.cache(c.Arg("ext_source"), "get_jids_filter")
	if err != nil {
		return nil, err
	}
	if truthy(c.Arg("display_progress")) {
		j.progress("Querying returner " + localCache + " for jobs.")
	}
	jids, err := cache.Jobs()
	if err != nil {
		return nil, err
	}
	filterFindJob := truthy(c.Arg("filter_find_job"))
	ret := []any{}
	for i := len(jids) - 1; i >= 0 && int64(len(ret)) < count; i-- {
		load, err := cache.LoadLoad(jids[i])
		if err != nil {
			continue
		}
		inst := formatJobInstance(load, false)
		if fun, _ := inst.String("Function"); filterFindJob && fun == "saltutil.find_job" {
			continue
		}
		inst = append(inst, body.Item{Key: "JID", Value: jids[i]}, body.Item{Key: "StartTime", Value: job.FormatJIDTime(jids[i])})
		ret = append(ret, inst)
	}
	slices.Reverse(ret)
	if out := c.Arg("outputter"); truthy(out) {
		return body.Map{{Key: "outputter", Value: out}, {Key: "data", Value: ret}}, nil
	}
	return ret, nil
}

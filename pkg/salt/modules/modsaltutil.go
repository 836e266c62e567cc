package modules

import (
	"sort"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// saltutilFuncs is the job-inspection part of Salt's saltutil module, over
// the Executor's Jobs provider. The salt CLI depends on find_job: after its
// timeout it asks the minions that have not answered whether the job is
// still running (spec/salt-raet.md §4.3).
func saltutilFuncs() []Func {
	return []Func{
		{
			Name: "saltutil.running",
			Doc:  "Return the proc records of the jobs this minion is running.\n\nCLI Example: salt '*' saltutil.running",
			Call: func(c *Call) (any, error) { return toAnyMaps(running(c)), nil },
		},
		{
			Name:   "saltutil.find_job",
			Params: []Param{{Name: "jid", Required: true}},
			Doc:    "Return the proc record of the job with the given jid, or {} when it is not running.\n\nCLI Example: salt '*' saltutil.find_job <jid>",
			Call: func(c *Call) (any, error) {
				jid := py.Str(c.Arg("jid"))
				for _, rec := range running(c) {
					if py.Str(rec.getOr("jid")) == jid {
						return rec.Map, nil
					}
				}
				return body.Map{}, nil
			},
		},
		{
			Name:   "saltutil.is_running",
			Params: []Param{{Name: "fun", Required: true}},
			Doc:    "Return the proc records of the running jobs whose function matches the glob.\n\nCLI Example: salt '*' saltutil.is_running state.highstate",
			Call: func(c *Call) (any, error) {
				pattern := py.Str(c.Arg("fun"))
				var out []procRecord
				for _, rec := range running(c) {
					fun, _ := rec.getOr("fun").(string)
					if target.Glob(pattern, fun) {
						out = append(out, rec)
					}
				}
				return toAnyMaps(out), nil
			},
		},
		refreshPillarFunc("saltutil.refresh_pillar"),
		refreshPillarFunc("saltutil.pillar_refresh"),
	}
}

type procRecord struct{ body.Map }

func (r procRecord) getOr(k string) any { v, _ := r.Get(k); return v }

// running is salt.utils.minion.running as a job sees it: every proc record
// but the calling job's own (Salt skips the record of its own process),
// ordered by jid, each with Salt's key order.
func running(c *Call) []procRecord {
	if c.exec.opts.Jobs == nil {
		return nil
	}
	var out []procRecord
	for _, rec := range c.exec.opts.Jobs.Running() {
		if c.Pub.Jid != "" && py.Str(rec["jid"]) == c.Pub.Jid {
			continue
		}
		out = append(out, procRecord{orderRecord(rec)})
	}
	sort.SliceStable(out, func(i, j int) bool { return py.Str(out[i].getOr("jid")) < py.Str(out[j].getOr("jid")) })
	return out
}

// orderRecord lays a proc record out in the order Salt writes it (pid
// first, then the publish: fun, arg, tgt, jid, ret, tgt_type, user), the
// remaining keys sorted after those.
func orderRecord(rec map[string]any) body.Map {
	order := []string{"pid", "fun", "arg", "tgt", "jid", "ret", "tgt_type", "user"}
	m := make(body.Map, 0, len(rec))
	seen := map[string]bool{}
	for _, k := range order {
		if v, ok := rec[k]; ok {
			m = append(m, body.Item{Key: k, Value: v})
			seen[k] = true
		}
	}
	rest := make([]string, 0, len(rec))
	for k := range rec {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		m = append(m, body.Item{Key: k, Value: rec[k]})
	}
	return m
}

func toAnyMaps(recs []procRecord) []any {
	out := make([]any, len(recs))
	for i, r := range recs {
		out[i] = r.Map
	}
	return out
}

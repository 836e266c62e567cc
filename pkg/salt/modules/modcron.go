package modules

import (
	"context"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/cron"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cronFuncs is Salt's cron module (salt/modules/cron.py) for the jobs of a
// user's crontab, through crontab(1) and the cron states' reading and
// writing (internal/cron).
func cronFuncs() []Func {
	listTab := Func{Name: "cron.list_tab", Params: []Param{{Name: "user", Required: true}},
		Doc: "Return the contents of the specified user's crontab: pre, crons, special and env.\n\nCLI Example: salt '*' cron.list_tab root",
		Call: func(c *Call) (any, error) {
			return tabMap(cron.List(c.Ctx, cronRun, py.Str(c.Arg("user")))), nil
		}}
	ls := listTab
	ls.Name, ls.PyName = "cron.ls", "list_tab"
	rmJob := Func{Name: "cron.rm_job", Params: []Param{{Name: "user", Required: true}, {Name: "cmd", Required: true},
		{Name: "minute", Default: nil}, {Name: "hour", Default: nil}, {Name: "daymonth", Default: nil},
		{Name: "month", Default: nil}, {Name: "dayweek", Default: nil}, {Name: "identifier", Default: nil}},
		Doc:  "Remove a cron job for a specified user; with times given only a job at those times.\n\nCLI Example: salt '*' cron.rm_job root /usr/local/weekly",
		Call: cronRmJob}
	rm := rmJob
	rm.Name, rm.PyName = "cron.rm", "rm_job"
	return []Func{listTab, ls, rmJob, rm,
		{Name: "cron.raw_cron", Params: []Param{{Name: "user", Required: true}},
			Doc: "Return the contents of the user's crontab.\n\nCLI Example: salt '*' cron.raw_cron root",
			Call: func(c *Call) (any, error) {
				return cron.Raw(c.Ctx, cronRun, py.Str(c.Arg("user"))), nil
			}},
		{Name: "cron.set_job", Params: []Param{{Name: "user", Required: true}, {Name: "minute", Required: true},
			{Name: "hour", Required: true}, {Name: "daymonth", Required: true}, {Name: "month", Required: true},
			{Name: "dayweek", Required: true}, {Name: "cmd", Required: true}, {Name: "commented", Default: false},
			{Name: "comment", Default: nil}, {Name: "identifier", Default: nil}},
			Doc:  "Sets a cron job up for a specified user: new, updated, present, or crontab's error.\n\nCLI Example: salt '*' cron.set_job root '*' '*' '*' '*' 1 /usr/local/weekly",
			Call: cronSetJob},
	}
}

// cronRun runs crontab on this machine.
func cronRun(ctx context.Context, argv []string, _ []string) (string, string, int, error) {
	return hostRun(ctx, argv...)
}

func optStr(v any) *string {
	if v == nil {
		return nil
	}
	s := py.Str(v)
	return &s
}

func strOrNone(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// tabMap is list_tab's return.
func tabMap(t cron.Tab) body.Map {
	crons, special, env := []any{}, []any{}, []any{}
	for _, j := range t.Crons {
		crons = append(crons, body.Map{{Key: "minute", Value: j.Minute}, {Key: "hour", Value: j.Hour},
			{Key: "daymonth", Value: j.Daymonth}, {Key: "month", Value: j.Month}, {Key: "dayweek", Value: j.Dayweek},
			{Key: "identifier", Value: strOrNone(j.Identifier)}, {Key: "cmd", Value: j.Cmd},
			{Key: "comment", Value: strOrNone(j.Comment)}, {Key: "commented", Value: j.Commented}})
	}
	for _, j := range t.Special {
		special = append(special, body.Map{{Key: "spec", Value: j.Spec}, {Key: "cmd", Value: j.Cmd},
			{Key: "identifier", Value: strOrNone(j.Identifier)}, {Key: "comment", Value: strOrNone(j.Comment)},
			{Key: "commented", Value: j.Commented}})
	}
	for _, e := range t.Env {
		name, value, _ := strings.Cut(e, "=")
		env = append(env, body.Map{{Key: "name", Value: name}, {Key: "value", Value: value}})
	}
	return body.Map{{Key: "pre", Value: stringsToAny(t.Pre)}, {Key: "crons", Value: crons},
		{Key: "special", Value: special}, {Key: "env", Value: env}}
}

func cronSetJob(c *Call) (any, error) {
	a := cron.SetArgs{User: py.Str(c.Arg("user")), Minute: py.Str(c.Arg("minute")), Hour: py.Str(c.Arg("hour")),
		Daymonth: py.Str(c.Arg("daymonth")), Month: py.Str(c.Arg("month")), Dayweek: py.Str(c.Arg("dayweek")),
		Cmd: py.Str(c.Arg("cmd")), Commented: pyTruthy(c.Arg("commented")),
		Comment: optStr(c.Arg("comment")), Identifier: optStr(c.Arg("identifier"))}
	return cron.SetJob(c.Ctx, cronRun, a), nil
}

func cronRmJob(c *Call) (any, error) {
	var when *cron.TimeMatch
	m := cron.TimeMatch{Minute: optStr(c.Arg("minute")), Hour: optStr(c.Arg("hour")), Daymonth: optStr(c.Arg("daymonth")),
		Month: optStr(c.Arg("month")), Dayweek: optStr(c.Arg("dayweek"))}
	if m != (cron.TimeMatch{}) {
		when = &m
	}
	return cron.RmJob(c.Ctx, cronRun, py.Str(c.Arg("user")), py.Str(c.Arg("cmd")), optStr(c.Arg("identifier")), when), nil
}

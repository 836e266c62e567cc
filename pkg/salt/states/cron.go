package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/cron"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// cron.present and cron.absent (salt/states/cron.py, with cron.set_job
// and cron.rm_job of salt/modules/cron.py).

func registerCron(r state.Registry) {
	r["cron.present"] = cronPresent
	r["cron.absent"] = cronAbsent
}

// cronSpec is a job as cron.present asks for it.
type cronSpec struct {
	usr                                    string
	minute, hour, daymonth, month, dayweek string
	cmd                                    string
	comment, identifier                    *string
	commented                              bool
}

func cronArgs(c *state.Call) cronSpec {
	a := argsOf(c)
	s := cronSpec{usr: a.str("user", "root"), cmd: strings.TrimSpace(c.Low.Name), commented: a.boolean("commented", false)}
	s.minute, s.hour = strings.ToLower(a.str("minute", "*")), strings.ToLower(a.str("hour", "*"))
	s.daymonth, s.month = strings.ToLower(a.str("daymonth", "*")), strings.ToLower(a.str("month", "*"))
	s.dayweek = strings.ToLower(a.str("dayweek", "*"))
	if a.has("comment") {
		cm := a.str("comment", "")
		s.comment = &cm
	}
	id := s.cmd
	if v, ok := a.m.Get("identifier"); ok && v != false && v != nil {
		id = pyStr(v)
	}
	s.identifier = &id
	return s
}

// checkCron is the state's _check_cron: absent, present or update.
func checkCron(ctx context.Context, s cronSpec) string {
	for _, j := range listTab(ctx, s.usr).Crons {
		if !cron.Matched(j, s.cmd, s.identifier) {
			continue
		}
		if jobDiffers(j, s) {
			return "update"
		}
		return "present"
	}
	return "absent"
}

func cronPresent(ctx context.Context, c *state.Call) state.Ret {
	s := cronArgs(c)
	ret := newRet(s.cmd, &yes)
	if argsOf(c).has("special") {
		return errRet(ret, "cron.present special is not supported by this minion")
	}
	if c.Test {
		ret.Result = nil
		switch checkCron(ctx, s) {
		case "absent":
			ret.Comment = fmt.Sprintf("Cron %s is set to be added", s.cmd)
		case "present":
			ret.Result, ret.Comment = &yes, fmt.Sprintf("Cron %s already present", s.cmd)
		case "update":
			ret.Comment = fmt.Sprintf("Cron %s is set to be updated", s.cmd)
		}
		return ret
	}
	switch data := setJob(ctx, s); data {
	case "present":
		ret.Comment = fmt.Sprintf("Cron %s already present", s.cmd)
	case "new":
		ret.Comment = fmt.Sprintf("Cron %s added to %s's crontab", s.cmd, s.usr)
		ret.Changes = body.Map{{Key: s.usr, Value: s.cmd}}
	case "updated":
		ret.Comment = fmt.Sprintf("Cron %s updated", s.cmd)
		ret.Changes = body.Map{{Key: s.usr, Value: s.cmd}}
	default:
		return errRet(ret, fmt.Sprintf("Cron %s for user %s failed to commit with error \n%s", s.cmd, s.usr, data))
	}
	return ret
}

// jobDiffers reports whether job j differs from s in what the state's
// _check_cron compares (_needs_change of each field; a job without an
// identifier counts as "").
func jobDiffers(j *cron.Job, s cronSpec) bool {
	ident := ""
	if j.Identifier != nil {
		ident = *j.Identifier
	}
	return cron.NeedsChange(j.Minute, &s.minute) || cron.NeedsChange(j.Hour, &s.hour) || cron.NeedsChange(j.Daymonth, &s.daymonth) ||
		cron.NeedsChange(j.Month, &s.month) || cron.NeedsChange(j.Dayweek, &s.dayweek) || cron.NeedsChange(ident, s.identifier) ||
		cron.NeedsChange(j.Cmd, &s.cmd) || s.comment != nil && (j.Comment == nil || *j.Comment != *s.comment) || j.Commented != s.commented
}

// setJob is cron.set_job: present, new, updated, or crontab's error.
func setJob(ctx context.Context, s cronSpec) string {
	return cron.SetJob(ctx, cron.Runner(cronRunner), cron.SetArgs{User: s.usr, Minute: s.minute, Hour: s.hour,
		Daymonth: s.daymonth, Month: s.month, Dayweek: s.dayweek, Cmd: s.cmd, Commented: s.commented,
		Comment: s.comment, Identifier: s.identifier})
}

// rmJob is cron.rm_job with no time given: removed, absent, or
// crontab's error.
func rmJob(ctx context.Context, usr, cmd string, identifier *string) string {
	return cron.RmJob(ctx, cron.Runner(cronRunner), usr, cmd, identifier, nil)
}

func cronAbsent(ctx context.Context, c *state.Call) state.Ret {
	s := cronArgs(c)
	ret := newRet(s.cmd, &yes)
	if argsOf(c).has("special") {
		return errRet(ret, "cron.absent special is not supported by this minion")
	}
	if c.Test {
		ret.Result = nil
		if checkCron(ctx, cronSpec{usr: s.usr, cmd: s.cmd, identifier: s.identifier, minute: "*", hour: "*", daymonth: "*", month: "*", dayweek: "*"}) == "absent" {
			ret.Result, ret.Comment = &yes, fmt.Sprintf("Cron %s is absent", s.cmd)
		} else {
			ret.Comment = fmt.Sprintf("Cron %s is set to be removed", s.cmd)
		}
		return ret
	}
	switch data := rmJob(ctx, s.usr, s.cmd, s.identifier); data {
	case "absent":
		ret.Comment = fmt.Sprintf("Cron %s already absent", s.cmd)
	case "removed":
		ret.Comment = fmt.Sprintf("Cron %s removed from %s's crontab", s.cmd, s.usr)
		ret.Changes = body.Map{{Key: s.usr, Value: s.cmd}}
	default:
		return errRet(ret, fmt.Sprintf("Cron %s for user %s failed to commit with error %s", s.cmd, s.usr, data))
	}
	return ret
}

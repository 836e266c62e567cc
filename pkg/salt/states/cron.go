package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
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
	for _, j := range listTab(ctx, s.usr).crons {
		if !cronMatched(j, s.cmd, s.identifier) {
			continue
		}
		if jobDiffers(j, s, "") {
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

// jobDiffers reports whether job j differs from s in what Salt compares
// (_needs_change of each field); noID is the identifier a job without
// one counts as ("" in _check_cron, "NO ID SET" in set_job).
func jobDiffers(j *cronJob, s cronSpec, noID string) bool {
	ident := noID
	if j.identifier != nil {
		ident = *j.identifier
	}
	return needsChange(j.minute, &s.minute) || needsChange(j.hour, &s.hour) || needsChange(j.daymonth, &s.daymonth) ||
		needsChange(j.month, &s.month) || needsChange(j.dayweek, &s.dayweek) || needsChange(ident, s.identifier) ||
		needsChange(j.cmd, &s.cmd) || s.comment != nil && (j.comment == nil || *j.comment != *s.comment) || j.commented != s.commented
}

// setJob is cron.set_job: present, new, updated, or crontab's error.
func setJob(ctx context.Context, s cronSpec) string {
	t := listTab(ctx, s.usr)
	for _, j := range t.crons {
		if !cronMatched(j, s.cmd, s.identifier) {
			continue
		}
		cid := cronID(j)
		if !jobDiffers(j, s, cronNoIdentifier) {
			return "present"
		}
		if msg := rmJob(ctx, s.usr, s.cmd, &cid); msg != "removed" && msg != "absent" {
			return msg
		}
		if s.comment == nil {
			s.comment = j.comment
		}
		if r := setJob(ctx, s); r != "new" {
			return r
		}
		return "updated"
	}
	t.crons = append(t.crons, &cronJob{minute: cronTime("minute", s.minute), hour: cronTime("hour", s.hour),
		daymonth: cronTime("daymonth", s.daymonth), month: cronTime("month", s.month), dayweek: cronTime("dayweek", s.dayweek),
		cmd: s.cmd, comment: s.comment, identifier: s.identifier, commented: s.commented})
	if msg := t.write(ctx, s.usr); msg != "" {
		return msg
	}
	return "new"
}

// rmJob is cron.rm_job with no time given: removed, absent, or
// crontab's error.
func rmJob(ctx context.Context, usr, cmd string, identifier *string) string {
	t := listTab(ctx, usr)
	for i, j := range t.crons {
		if cronMatched(j, cmd, identifier) {
			t.crons = append(t.crons[:i], t.crons[i+1:]...)
			if msg := t.write(ctx, usr); msg != "" {
				return msg
			}
			return "removed"
		}
	}
	return "absent"
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

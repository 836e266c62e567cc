package cron

import (
	"context"
	"slices"
	"strings"
)

// SetArgs are cron.set_job's arguments; nil Comment and Identifier are
// None.
type SetArgs struct {
	User                                   string
	Minute, Hour, Daymonth, Month, Dayweek string
	Cmd                                    string
	Commented                              bool
	Comment, Identifier                    *string
}

// ptrNeedsChange is _needs_change with None on either side.
func ptrNeedsChange(old, neu *string) bool {
	if old == nil && neu == nil || old != nil && neu != nil && *old == *neu {
		return false
	}
	if neu != nil && *neu == "random" {
		return old != nil && *old == "*"
	}
	return neu != nil
}

func ptr(s string) *string { return &s }

// jobNeedsChange is set_job's test list over a matched job.
func jobNeedsChange(j *Job, a SetArgs) bool {
	setID := NoIdentifier
	if j.Identifier != nil {
		setID = *j.Identifier
	}
	return ptrNeedsChange(j.Comment, a.Comment) || j.Commented != a.Commented ||
		ptrNeedsChange(a.Identifier, &setID) ||
		j.Spec == "" && (NeedsChange(j.Minute, &a.Minute) || NeedsChange(j.Hour, &a.Hour) || NeedsChange(j.Daymonth, &a.Daymonth) ||
			NeedsChange(j.Month, &a.Month) || NeedsChange(j.Dayweek, &a.Dayweek)) ||
		j.Spec != "" || // a special job has no minute (None), which the new one always changes
		NeedsChange(j.Cmd, &a.Cmd)
}

// SetJob is cron.set_job: "present", "new", "updated", or crontab's error.
// A matched job that differs is removed and set again, keeping what the
// new arguments do not change.
func SetJob(ctx context.Context, run Runner, a SetArgs) string {
	for _, f := range []*string{&a.Minute, &a.Hour, &a.Daymonth, &a.Month, &a.Dayweek} {
		*f = strings.ToLower(*f)
	}
	t := List(ctx, run, a.User)
	for _, j := range slices.Concat(t.Crons, t.Special) {
		if !Matched(j, a.Cmd, a.Identifier) {
			continue
		}
		if !jobNeedsChange(j, a) {
			return "present"
		}
		return resetJob(ctx, run, a, j)
	}
	t.Crons = append(t.Crons, &Job{Minute: Time("minute", a.Minute), Hour: Time("hour", a.Hour),
		Daymonth: Time("daymonth", a.Daymonth), Month: Time("month", a.Month), Dayweek: Time("dayweek", a.Dayweek),
		Cmd: a.Cmd, Comment: a.Comment, Identifier: a.Identifier, Commented: a.Commented})
	if msg := t.Write(ctx, run, a.User); msg != "" {
		return msg
	}
	return "new"
}

// resetJob is set_job's update of the matched job j.
func resetJob(ctx context.Context, run Runner, a SetArgs, j *Job) string {
	cid := ID(j)
	var msg string
	if j.Spec != "" {
		msg = rmMatching(ctx, run, a.User, a.Cmd, ptr(cid), true, nil)
	} else {
		msg = rmMatching(ctx, run, a.User, a.Cmd, ptr(cid), false, nil)
	}
	if msg != "removed" && msg != "absent" {
		return msg
	}
	for _, f := range []struct {
		old string
		neu *string
	}{{j.Minute, &a.Minute}, {j.Hour, &a.Hour}, {j.Daymonth, &a.Daymonth}, {j.Month, &a.Month}, {j.Dayweek, &a.Dayweek}} {
		if !NeedsChange(f.old, f.neu) {
			*f.neu = f.old
		}
	}
	if !ptrNeedsChange(j.Comment, a.Comment) {
		a.Comment = j.Comment
	}
	newID := &cid
	if !NeedsChange(j.Cmd, &a.Cmd) {
		a.Cmd = j.Cmd
		if cid == NoIdentifier {
			if a.Identifier != nil && *a.Identifier != "" {
				newID = a.Identifier
			} else if j.Identifier == nil {
				newID = nil
			}
		}
	}
	if newID == nil || *newID == "" || !ptrNeedsChange(newID, a.Identifier) {
		a.Identifier = newID
	}
	if r := SetJob(ctx, run, a); r != "new" {
		return r
	}
	return "updated"
}

// TimeMatch is cron._date_time_match over the fields given (non-nil).
type TimeMatch struct{ Minute, Hour, Daymonth, Month, Dayweek *string }

func (m *TimeMatch) match(j *Job) bool {
	if m == nil {
		return true
	}
	for _, f := range []struct {
		have string
		want *string
	}{{j.Minute, m.Minute}, {j.Hour, m.Hour}, {j.Daymonth, m.Daymonth}, {j.Month, m.Month}, {j.Dayweek, m.Dayweek}} {
		if f.want != nil && f.have != *f.want && !(strings.ToLower(*f.want) == "random" && f.have != "*") {
			return false
		}
	}
	return true
}

// RmJob is cron.rm_job: "removed", "absent", or crontab's error. when
// restricts the match to jobs at those times; nil matches any.
func RmJob(ctx context.Context, run Runner, usr, cmd string, identifier *string, when *TimeMatch) string {
	return rmMatching(ctx, run, usr, cmd, identifier, false, when)
}

// rmMatching removes the first matching job (special: rm_special, which
// writes the crontab even when nothing matched).
func rmMatching(ctx context.Context, run Runner, usr, cmd string, identifier *string, special bool, when *TimeMatch) string {
	t := List(ctx, run, usr)
	list := &t.Crons
	if special {
		list = &t.Special
	}
	ret := "absent"
	for i, j := range *list {
		if Matched(j, cmd, identifier) && (special || when.match(j)) {
			*list = slices.Delete(*list, i, i+1)
			ret = "removed"
			break
		}
	}
	if ret == "absent" && !special {
		return ret
	}
	if msg := t.Write(ctx, run, usr); msg != "" {
		return msg
	}
	return ret
}

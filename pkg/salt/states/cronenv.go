package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// cron.env_present and cron.env_absent (salt/states/cron.py, with
// cron.set_env and cron.rm_env of salt/modules/cron.py): NAME=value lines
// in the managed part of a user's crontab.

func registerCronEnv(r state.Registry) {
	r["cron.env_present"] = cronEnvPresent
	r["cron.env_absent"] = cronEnvAbsent
}

// cronEnvLine splits an env line as list_tab does (name, value).
func cronEnvLine(line string) (string, string) {
	name, value, _ := strings.Cut(line, "=")
	return name, value
}

// renderCronEnv is _render_tab's env line: None and "" become "".
func renderCronEnv(name string, value *string) string {
	if value == nil || *value == "" {
		return name + `=""`
	}
	return name + "=" + *value
}

// checkCronEnv is the state's _check_cron_env: absent, present or update.
func checkCronEnv(ctx context.Context, usr, name string, value *string) string {
	want := ""
	if value != nil {
		want = *value
	}
	for _, e := range listTab(ctx, usr).Env {
		if n, v := cronEnvLine(e); n == name {
			if v != want {
				return "update"
			}
			return "present"
		}
	}
	return "absent"
}

// setCronEnv is cron.set_env: present, new, updated, or crontab's error.
// A None value never equals a parsed one, so Salt rewrites it each time.
func setCronEnv(ctx context.Context, usr, name string, value *string) string {
	t := listTab(ctx, usr)
	for _, e := range t.Env {
		n, v := cronEnvLine(e)
		if n != name {
			continue
		}
		if value == nil || *value != v {
			if msg := rmCronEnv(ctx, usr, name); msg != "removed" && msg != "absent" {
				return msg
			}
			if r := setCronEnv(ctx, usr, name, value); r != "new" {
				return r
			}
			return "updated"
		}
		return "present"
	}
	t.Env = append(t.Env, renderCronEnv(name, value))
	if msg := writeTab(ctx, t, usr); msg != "" {
		return msg
	}
	return "new"
}

// rmCronEnv is cron.rm_env: removed or absent (the crontab is written
// either way, as Salt does), or crontab's error.
func rmCronEnv(ctx context.Context, usr, name string) string {
	t := listTab(ctx, usr)
	ret, at := "absent", -1
	for i, e := range t.Env {
		if n, _ := cronEnvLine(e); n == name {
			at = i
		}
	}
	if at >= 0 {
		t.Env = append(t.Env[:at], t.Env[at+1:]...)
		ret = "removed"
	}
	if msg := writeTab(ctx, t, usr); msg != "" {
		return msg
	}
	return ret
}

// cronEnvOrder is env_present's ret as Salt builds it.
var cronEnvOrder = []string{"changes", "comment", "name", "result"}

func cronEnvPresent(ctx context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	name, usr := c.Low.Name, a.str("user", "root")
	var value *string
	if a.has("value") {
		v := a.str("value", "")
		value = &v
	}
	ret := newRet(name, &yes)
	ret.Order = cronEnvOrder
	if c.Test {
		ret.Result = nil
		switch checkCronEnv(ctx, usr, name, value) {
		case "absent":
			ret.Comment = fmt.Sprintf("Cron env %s is set to be added", name)
		case "present":
			ret.Result, ret.Comment = &yes, fmt.Sprintf("Cron env %s already present", name)
		case "update":
			ret.Comment = fmt.Sprintf("Cron env %s is set to be updated", name)
		}
		return ret
	}
	switch data := setCronEnv(ctx, usr, name, value); data {
	case "present":
		ret.Comment = fmt.Sprintf("Cron env %s already present", name)
	case "new":
		ret.Comment = fmt.Sprintf("Cron env %s added to %s's crontab", name, usr)
		ret.Changes = body.Map{{Key: usr, Value: name}}
	case "updated":
		ret.Comment = fmt.Sprintf("Cron env %s updated", name)
		ret.Changes = body.Map{{Key: usr, Value: name}}
	default:
		return errRet(ret, fmt.Sprintf("Cron env %s for user %s failed to commit with error \n%s", name, usr, data))
	}
	return ret
}

func cronEnvAbsent(ctx context.Context, c *state.Call) state.Ret {
	name, usr := strings.TrimSpace(c.Low.Name), argsOf(c).str("user", "root")
	ret := newRet(name, &yes)
	ret.Order = []string{"name", "result", "changes", "comment"}
	if c.Test {
		ret.Result = nil
		if checkCronEnv(ctx, usr, name, nil) == "absent" {
			ret.Result, ret.Comment = &yes, fmt.Sprintf("Cron env %s is absent", name)
		} else {
			ret.Comment = fmt.Sprintf("Cron env %s is set to be removed", name)
		}
		return ret
	}
	switch data := rmCronEnv(ctx, usr, name); data {
	case "absent":
		ret.Comment = fmt.Sprintf("Cron env %s already absent", name)
	case "removed":
		ret.Comment = fmt.Sprintf("Cron env %s removed from %s's crontab", name, usr)
		ret.Changes = body.Map{{Key: usr, Value: name}}
	default:
		return errRet(ret, fmt.Sprintf("Cron env %s for user %s failed to commit with error %s", name, usr, data))
	}
	return ret
}

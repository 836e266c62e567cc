package protocol

import "github.com/saltraet/saltraet/pkg/raet/body"

// find_job: the salt command asks the minions still missing whether they
// run a job by publishing saltutil.find_job [<jid>] to them (Salt's
// LocalClient.gather_job_info); each answers with a return.

// FunFindJob is the function the salt command publishes to ask.
const FunFindJob = "saltutil.find_job"

// FindJobArgs is the argument list of a find_job publish for jid.
func FindJobArgs(jid string) []any { return []any{jid} }

// FindJobJID reads the jid a find_job publish load asks about ("" when it
// names none).
func FindJobJID(load body.Map) string {
	args, _ := load.Get("arg")
	l, _ := args.([]any)
	if len(l) == 0 {
		return ""
	}
	jid, _ := l[0].(string)
	return jid
}

// FindJobRunning reads a minion's answer to find_job (its return event's
// data) as get_iter_returns does: an empty mapping (or {"return": {}})
// means the job is not running there; so does an error (a string, or a
// non-zero retcode).
func FindJobRunning(data body.Map) bool {
	if n, ok := data.Int("retcode"); ok && n > 0 {
		return false
	}
	v, ok := data.Get("return")
	if !ok {
		return false
	}
	m, ok := v.(body.Map)
	if !ok || len(m) == 0 {
		return false
	}
	if inner, ok := m.Get("return"); ok {
		if im, ok := inner.(body.Map); ok && len(im) == 0 {
			return false
		}
	}
	return true
}

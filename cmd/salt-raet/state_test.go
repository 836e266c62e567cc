package main

import (
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

// stateReturn is a state.apply return of one succeeded and one failed
// state, as the minion sends it.
func stateReturn() body.Map {
	st := func(id, fun string, run int, result bool, changes body.Map) body.Item {
		return body.Item{Key: "cmd_|-" + id + "_|-" + id + "_|-" + fun, Value: body.Map{
			{Key: "name", Value: id}, {Key: "changes", Value: changes}, {Key: "result", Value: result},
			{Key: "comment", Value: "Command \"" + id + "\" run"}, {Key: "__sls__", Value: "web"},
			{Key: "__run_num__", Value: run}, {Key: "start_time", Value: "04:51:02.123456"},
			{Key: "duration", Value: 2.5}, {Key: "__id__", Value: id},
		}}
	}
	return body.Map{
		st("true", "run", 0, true, body.Map{}),
		st("false", "run", 1, false, body.Map{{Key: "retcode", Value: 1}}),
	}
}

// A state return names the highstate outputter, which the command then
// uses (as Salt's state module's __outputter__ makes it), with
// --state-output and --state-verbose; a minion whose retcode is 2 (a
// state failed) makes the command exit 1 with Salt's error line.
func TestStateReturnHighstate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: stateReturn(), Out: "highstate", Retcode: 2})
	r := e.salt("a", "state.apply")
	full := "a:\n----------\n          ID: true\n    Function: cmd.run\n      Result: True\n     Comment: Command \"true\" run\n" +
		"     Started: 04:51:02.123456\n    Duration: 2.5 ms\n     Changes:   \n----------\n          ID: false\n    Function: cmd.run\n" +
		"      Result: False\n     Comment: Command \"false\" run\n     Started: 04:51:02.123456\n    Duration: 2.5 ms\n" +
		"     Changes:   \n              ----------\n              retcode:\n                  1\n\nSummary for a\n------------\n" +
		"Succeeded: 1 (changed=1)\nFailed:    1\n------------\nTotal states run:     2\nTotal run time:   5.000 ms\n"
	if r.stdout != full || r.code != 1 || r.stderr != "ERROR: Minions returned with non-zero exit code\n" {
		t.Errorf("got exit %d stderr %q stdout:\n%s\nwant:\n%s", r.code, r.stderr, r.stdout, full)
	}
	r = e.salt("a", "state.apply", "--state-output=terse")
	if !strings.Contains(r.stdout, "\n  Name: false - Function: cmd.run - Result: Failed - Started: 04:51:02.123456 - Duration: 2.5 ms\n") {
		t.Errorf("terse: %q", r.stdout)
	}
	r = e.salt("a", "state.apply", "--state-verbose=False")
	if strings.Contains(r.stdout, "ID: true") || !strings.Contains(r.stdout, "ID: false") {
		t.Errorf("--state-verbose=False: %q", r.stdout)
	}
	r = e.salt("a", "state.apply", "--out", "highstate")
	if r.stdout != full {
		t.Errorf("--out highstate: %q", r.stdout)
	}
	r = e.salt("a", "state.apply", "--static")
	if r.stdout != full || r.code != 1 {
		t.Errorf("--static: exit %d %q", r.code, r.stdout)
	}
	r = e.salt("a", "state.apply", "--out", "json")
	if !strings.HasPrefix(r.stdout, "{\n    \"a\": {\n        \"cmd_|-true_|-true_|-run\": {\n") || r.code != 1 {
		t.Errorf("--out json: exit %d %q", r.code, r.stdout)
	}
}

// state_output and state_verbose come from the master config unless the
// flags say otherwise.
func TestStateOutputConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "state_output: mixed\nstate_verbose: False\n")
	e.start(nil, clienttest.Minion{ID: "a", Return: stateReturn(), Out: "highstate", Retcode: 2})
	r := e.salt("a", "state.apply")
	if strings.Contains(r.stdout, "Name: true") || !strings.Contains(r.stdout, "ID: false") {
		t.Errorf("config: %q", r.stdout)
	}
	r = e.salt("a", "state.apply", "--state-verbose", "true", "--state-output", "mixed")
	if !strings.Contains(r.stdout, "\n  Name: true - Function: cmd.run - Result: Clean") || !strings.Contains(r.stdout, "ID: false") {
		t.Errorf("flags: %q", r.stdout)
	}
}

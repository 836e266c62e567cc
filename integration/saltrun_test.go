package integration

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// A job published with --async is read back with salt-run-raet: lookup_jid
// prints what the synchronous run printed, list_jobs lists it, and each
// run of a runner fires salt/run/<jid>/new and ret on the master's bus and
// is itself kept in the job cache.
func TestSaltRunJobsAfterAsync(t *testing.T) {
	c := newCluster(t, true)
	y := c.yard("event")
	sub := body.Map{{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}}}
	if err := y.Transmit(sub, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	c.addMinion("web01")
	c.waitReady("web01")

	sync := c.salt("web01", "test.echo", "hello")
	if sync.code != 0 || sync.stdout != "web01:\n    hello\n" {
		t.Fatalf("salt-raet web01 test.echo hello: %d %q %q", sync.code, sync.stdout, sync.stderr)
	}
	r := c.salt("--async", "web01", "test.echo", "hello")
	jid, ok := strings.CutPrefix(strings.TrimSpace(r.stdout), "Executed command with job ID: ")
	if r.code != 0 || !ok || !job.IsJID(jid) {
		t.Fatalf("salt-raet --async: %d %q %q", r.code, r.stdout, r.stderr)
	}
	eventually(t, "jobs.lookup_jid prints the return", func() (bool, string) {
		r := c.master.run("salt-run-raet", "jobs.lookup_jid", jid)
		return r.code == 0 && r.stdout == sync.stdout, r.stdout + r.stderr
	})

	r = c.master.run("salt-run-raet", "jobs.list_jobs", "--out", "json")
	var jobs map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil || r.code != 0 {
		t.Fatalf("jobs.list_jobs --out json: %d %q %q: %v", r.code, r.stdout, r.stderr, err)
	}
	got, _ := json.Marshal(jobs[jid])
	want := `{"Arguments":["hello"],"Function":"test.echo","StartTime":"` + job.FormatJIDTime(jid) + `","Target":"web01","Target-type":"glob","User":"` + jobs[jid]["User"].(string) + `"}`
	if string(got) != want {
		t.Fatalf("list_jobs entry of %s:\n got %s\nwant %s", jid, got, want)
	}
	runnerJobs := 0
	for _, j := range jobs {
		if j["Function"] == "runner.jobs.lookup_jid" && j["Target"] == "saltmaster" && j["Target-type"] == "list" {
			runnerJobs++
		}
	}
	if runnerJobs == 0 {
		t.Errorf("the lookup_jid runs are not in the job cache: %s", r.stdout)
	}

	// The events of a run, fired on the master's bus.
	r = c.master.run("salt-run-raet", "jobs.list_job", jid, "--out", "json")
	newEv, retEv := waitRunEvents(t, y, "runner.jobs.list_job")
	for _, k := range []string{"jid", "user", "_stamp"} {
		if v, _ := newEv.String(k); v == "" {
			t.Errorf("salt/run/<jid>/new has no %s: %v", k, newEv)
		}
	}
	if fa, _ := newEv.Get("fun_args"); len(fa.([]any)) != 1 || fa.([]any)[0] != jid {
		t.Errorf("salt/run/<jid>/new fun_args = %v", fa)
	}
	if ok, _ := retEv.Bool("success"); !ok {
		t.Errorf("salt/run/<jid>/ret success: %v", retEv)
	}
	ret, _ := retEv.Map("return")
	if minions, _ := ret.Get("Minions"); len(minions.([]any)) != 1 {
		t.Errorf("salt/run/<jid>/ret return: %v", ret)
	}
	if !strings.Contains(r.stdout, `"Result": {`) || !strings.Contains(r.stdout, `"return": "hello"`) {
		t.Errorf("jobs.list_job --out json: %s", r.stdout)
	}

	// An unknown runner: its message, exit 0, as Salt 3006.
	r = c.master.run("salt-run-raet", "foo.bar")
	if r.code != 0 || r.stdout != "'foo.bar' is not available.\n" {
		t.Errorf("salt-run-raet foo.bar: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = c.master.run("salt-run-raet", "jobs.exit_success", jid)
	if r.code != 0 || r.stdout != "web01:\n    True\n" {
		t.Errorf("jobs.exit_success: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// waitRunEvents waits for the new and ret events of a run of fun and
// returns their data.
func waitRunEvents(t *testing.T, y *lane.Stack, fun string) (newEv, retEv body.Map) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	runJID := ""
	for retEv == nil {
		select {
		case rx := <-y.Receive():
			tag, _ := rx.Body.String("tag")
			data, _ := rx.Body.Map("data")
			f, _ := data.String("fun")
			jid, _ := data.String("jid")
			switch {
			case f == fun && tag == "salt/run/"+jid+"/new":
				newEv, runJID = data, jid
			case runJID != "" && tag == "salt/run/"+runJID+"/ret":
				retEv = data
			}
		case <-deadline:
			t.Fatalf("no salt/run/<jid>/new and ret events of %s (new: %v)", fun, newEv)
		}
	}
	return newEv, retEv
}

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

// Against three minions: jobs.active shows a --async test.sleep running on
// each with its pid, lookup_jid then prints every return, print_job and
// last_run show the job, and salt-run-raet --async runs a runner in the
// background, whose run the job cache then holds.
func TestSaltRunActiveAndAsyncRunner(t *testing.T) {
	c := newCluster(t, true)
	ids := []string{"web01", "web02", "db01"}
	for _, id := range ids {
		c.addMinion(id)
	}
	c.waitReady(ids...)
	r := c.salt("--async", "*", "test.sleep", "4")
	jid, _ := strings.CutPrefix(strings.TrimSpace(r.stdout), "Executed command with job ID: ")
	if !job.IsJID(jid) {
		t.Fatalf("salt-raet --async: %q %q", r.stdout, r.stderr)
	}
	var active map[string]map[string]any
	eventually(t, "jobs.active shows the sleep on the three minions", func() (bool, string) {
		r := c.master.run("salt-run-raet", "jobs.active", "--out", "json")
		active = nil
		if json.Unmarshal([]byte(r.stdout), &active) != nil {
			return false, r.stdout + r.stderr
		}
		running, _ := active[jid]["Running"].([]any)
		return len(running) == 3, r.stdout
	})
	if a := active[jid]; a["Function"] != "test.sleep" || a["Target"] != "*" || a["StartTime"] != job.FormatJIDTime(jid) {
		t.Errorf("jobs.active entry: %v", a)
	}
	for _, x := range active[jid]["Running"].([]any) {
		for id, pid := range x.(map[string]any) {
			if n, ok := pid.(float64); !ok || n <= 0 || !contains(ids, id) {
				t.Errorf("Running entry %s: %v", id, pid)
			}
		}
	}
	want := "db01:\n    True\nweb01:\n    True\nweb02:\n    True\n"
	eventually(t, "jobs.lookup_jid prints the three returns", func() (bool, string) {
		r := c.master.run("salt-run-raet", "jobs.lookup_jid", jid)
		return r.stdout == want, r.stdout + r.stderr
	})
	r = c.master.run("salt-run-raet", "jobs.print_job", jid, "--out", "json")
	var printed map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil {
		t.Fatalf("jobs.print_job: %q %q", r.stdout, r.stderr)
	}
	if res, _ := printed[jid]["Result"].(map[string]any); len(res) != 3 || len(printed[jid]["Minions"].([]any)) != 3 {
		t.Errorf("jobs.print_job: %s", r.stdout)
	}
	r = c.master.run("salt-run-raet", "jobs.last_run", "function=test.sleep", "--out", "json")
	if !strings.Contains(r.stdout, `"`+jid+`": {`) {
		t.Errorf("jobs.last_run function=test.sleep: %s %s", r.stdout, r.stderr)
	}

	r = c.master.run("salt-run-raet", "--async", "jobs.list_jobs")
	_, tag, ok := strings.Cut(r.stderr, "This execution is running under tag salt/run/")
	runJID := strings.TrimSpace(tag)
	if r.code != 0 || r.stdout != "" || !ok || !job.IsJID(runJID) {
		t.Fatalf("salt-run-raet --async: %d %q %q", r.code, r.stdout, r.stderr)
	}
	eventually(t, "the background run is in the job cache", func() (bool, string) {
		r := c.master.run("salt-run-raet", "jobs.list_job", runJID, "--out", "json")
		return strings.Contains(r.stdout, `"Function": "runner.jobs.list_jobs"`) && strings.Contains(r.stdout, `"saltmaster": {`), r.stdout
	})
}

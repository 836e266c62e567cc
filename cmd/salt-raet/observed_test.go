package main

import (
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

// observedRun is one run of the salt command in a
// spec/salt-3006-observed file: its command line, what it printed and
// exited with, and the returns of its job in the order they came.
type observedRun struct {
	file    string
	cmdline string
	stdout  string
	stderr  string
	rc      int
	jid     string
	minions []string // the job's minions, from salt/job/<jid>/new
	rets    []body.Map
}

func loadObserved(t *testing.T, name string) []observedRun {
	t.Helper()
	var out []observedRun
	for _, r := range testutil.ObservedRuns(t, name) {
		or := observedRun{file: name}
		or.cmdline, _ = r.String("cmdline")
		or.stdout, _ = r.String("stdout")
		or.stderr, _ = r.String("stderr")
		rc, _ := r.Int("rc")
		or.rc = int(rc)
		evs, _ := r.Get("events")
		// The job is the last one published that is not a find_job (a
		// --static run first pings, as Salt's batch mode does).
		for _, ev := range evs.([]any) {
			e := ev.(body.Map)
			tag, _ := e.String("tag")
			data, _ := e.Map("data")
			if strings.HasPrefix(tag, "salt/job/") && strings.HasSuffix(tag, "/new") {
				if fun, _ := data.String("fun"); fun != "saltutil.find_job" {
					or.jid, _ = data.String("jid")
					or.minions = nil
					ms, _ := data.Get("minions")
					for _, m := range ms.([]any) {
						or.minions = append(or.minions, m.(string))
					}
				}
			}
		}
		for _, ev := range evs.([]any) {
			e := ev.(body.Map)
			tag, _ := e.String("tag")
			if strings.HasPrefix(tag, "salt/job/"+or.jid+"/ret/") {
				data, _ := e.Map("data")
				or.rets = append(or.rets, data)
			}
		}
		if or.jid == "" || len(or.rets) == 0 && or.rc != 2 {
			t.Fatalf("%s: %q: no job or no returns found", name, or.cmdline)
		}
		out = append(out, or)
	}
	return out
}

// minionsFor scripts the fake manor's minions to return what the observed
// minions returned, in the order they returned; with stagger, each
// returns that much after the one before, from first (used for runs that
// outlast their timeout).
func (r observedRun) minionsFor(first, stagger time.Duration) []clienttest.Minion {
	var ms []clienttest.Minion
	seen := map[string]bool{}
	for i, ret := range r.rets {
		id, _ := ret.String("id")
		rv, _ := ret.Get("return")
		rc, _ := ret.Int("retcode")
		out, _ := ret.String("out")
		m := clienttest.Minion{ID: id, Return: rv, Retcode: int(rc), Out: out}
		if first > 0 {
			m.Delay = first + time.Duration(i)*stagger
		}
		ms = append(ms, m)
		seen[id] = true
	}
	// Minions of the job that did not return (none in these files).
	for _, id := range r.minions {
		if !seen[id] {
			ms = append(ms, clienttest.Minion{ID: id, Withhold: true})
		}
	}
	return ms
}

func (r observedRun) args(t *testing.T) []string {
	t.Helper()
	words := shellSplit(r.cmdline)
	if len(words) == 0 || words[0] != "salt" {
		t.Fatalf("%s: command line %q is not salt's", r.file, r.cmdline)
	}
	return words[1:]
}

func checkRun(t *testing.T, r observedRun, got result) {
	t.Helper()
	if got.stdout != r.stdout {
		t.Errorf("%s: %s: stdout\n got  %q\n want %q", r.file, r.cmdline, got.stdout, r.stdout)
	}
	if got.stderr != r.stderr {
		t.Errorf("%s: %s: stderr\n got  %q\n want %q", r.file, r.cmdline, got.stderr, r.stderr)
	}
	if got.code != r.rc {
		t.Errorf("%s: %s: exit %d, want %d", r.file, r.cmdline, got.code, r.rc)
	}
}

// TestObservedRuns replays what the minions returned in each observed
// Salt 3006 run through the fake manor and checks that salt-raet prints
// the same bytes and exits the same way.
func TestObservedRuns(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"01-test.ping.json", "02-test.echo.json", "03-cmd.run.json", "04-test.arg.json",
		"05-grains.get.json", "06-grains.items.json", "08-nonexistent-function.json",
		"09-nonexistent-module.json", "12-test.ping-static.json",
	} {
		for _, r := range loadObserved(t, name) {
			t.Run(name+"/"+r.cmdline, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, "")
				e.start(nil, r.minionsFor(0, 0)...)
				checkRun(t, r, e.salt(r.args(t)...))
			})
		}
	}
}

// A job that outlasts -t 1: the minions tell saltutil.find_job they still
// run it, and their returns are printed when they come.
func TestObservedSleepPastTimeout(t *testing.T) {
	t.Parallel()
	for _, r := range loadObserved(t, "07-test.sleep-timeout.json") {
		t.Run(r.cmdline, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			m := e.start(nil, r.minionsFor(1300*time.Millisecond, 60*time.Millisecond)...)
			checkRun(t, r, e.salt(r.args(t)...))
			loads := m.Loads()
			if len(loads) < 2 || jsonOf(mustGet(loads[1], "fun")) != `"saltutil.find_job"` {
				t.Errorf("no saltutil.find_job after the timeout: %v", loads)
			}
		})
	}
}

func TestObservedAsync(t *testing.T) {
	t.Parallel()
	r := loadObserved(t, "11-async.json")[0]
	e := newEnv(t, "")
	e.start(func(m *clienttest.Manor) { m.SetJID(r.jid) }, r.minionsFor(0, 0)...)
	checkRun(t, r, e.salt(r.args(t)...))
}

func TestObservedNoMatch(t *testing.T) {
	t.Parallel()
	for _, r := range loadObservedNoJob(t, "10-no-minions-matched.json") {
		t.Run(r.cmdline, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			m := e.start(nil, pingers("min1", "min2", "min3")...)
			checkRun(t, r, e.salt(r.args(t)...))
			if len(m.Loads()) != 1 {
				t.Errorf("%d publishes, want 1", len(m.Loads()))
			}
		})
	}
}

// loadObservedNoJob reads runs that published nothing.
func loadObservedNoJob(t *testing.T, name string) []observedRun {
	t.Helper()
	var out []observedRun
	for _, r := range testutil.ObservedRuns(t, name) {
		or := observedRun{file: name}
		or.cmdline, _ = r.String("cmdline")
		or.stdout, _ = r.String("stdout")
		or.stderr, _ = r.String("stderr")
		rc, _ := r.Int("rc")
		or.rc = int(rc)
		out = append(out, or)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no runs", name)
	}
	return out
}

func mustGet(m body.Map, k string) any { v, _ := m.Get(k); return v }

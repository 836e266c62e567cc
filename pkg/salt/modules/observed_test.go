package modules

import (
	"context"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The golden files are real Salt 3006 runs (testdata/shared/spec/salt-3006-observed,
// found as the repository's other tests find the vectors). Each
// run's salt/job/<jid>/new event gives the publish; its ret events give what
// a minion returned. They are read with the body package's JSON decoder, so
// key order survives and comparisons below are byte-exact, order included.

type observedRun struct {
	cmdline string
	newJob  body.Map            // data of the first salt/job/<jid>/new event
	rets    map[string]body.Map // tag -> data of every ret event
	events  []body.Map          // all events' (tag, data) pairs
}

func loadObserved(t *testing.T, name string) []observedRun {
	t.Helper()
	var runs []observedRun
	for _, run := range testutil.ObservedRuns(t, name) {
		cmdline, _ := run.String("cmdline")
		or := observedRun{cmdline: cmdline, rets: map[string]body.Map{}}
		evs, _ := run.Get("events")
		for _, ev := range evs.([]any) {
			e := ev.(body.Map)
			tag, _ := e.String("tag")
			data, _ := e.Map("data")
			or.events = append(or.events, body.Map{{Key: "tag", Value: tag}, {Key: "data", Value: data}})
			switch {
			case strings.HasSuffix(tag, "/new") && or.newJob == nil:
				or.newJob = data
			case strings.Contains(tag, "/ret/"):
				or.rets[tag] = data
			}
		}
		runs = append(runs, or)
	}
	return runs
}

// pubFromEvent builds the publish a minion received from the new-job
// event, which carries fun, arg (with its __kwarg__ markers), tgt, jid,
// tgt_type and user; ret is the CLI's default "".
func pubFromEvent(ev body.Map) Pub {
	var load body.Map
	for _, k := range []string{"fun", "arg", "tgt", "jid"} {
		v, _ := ev.Get(k)
		load = append(load, body.Item{Key: k, Value: v})
	}
	load = append(load, body.Item{Key: "ret", Value: ""})
	for _, k := range []string{"tgt_type", "user"} {
		v, _ := ev.Get(k)
		load = append(load, body.Item{Key: k, Value: v})
	}
	return PubFromLoad(load)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := body.AppendJSON(nil, v)
	if err != nil {
		t.Fatalf("encoding %#v: %v", v, err)
	}
	return string(b)
}

// checkAgainst runs the publish of run on e and compares the result with
// every ret event of the job: return (byte-exact JSON), retcode, success
// and out.
func checkAgainst(t *testing.T, e *Executor, run observedRun) {
	t.Helper()
	pub := pubFromEvent(run.newJob)
	got := e.Run(context.Background(), pub.Fun, pub.Arg, pub)
	n := 0
	for tag, data := range run.rets {
		if !strings.Contains(tag, "/"+pub.Jid+"/") {
			continue
		}
		n++
		ret, _ := data.Get("return")
		retcode, _ := data.Int("retcode")
		success, _ := data.Bool("success")
		out, _ := data.String("out")
		if g, w := jsonOf(t, got.Return), jsonOf(t, ret); g != w {
			t.Errorf("%s: return\n got %s\nwant %s", run.cmdline, g, w)
		}
		if int64(got.Retcode) != retcode || got.Success != success || got.Out != out {
			t.Errorf("%s: retcode/success/out = %d/%v/%q, want %d/%v/%q",
				run.cmdline, got.Retcode, got.Success, got.Out, retcode, success, out)
		}
		// fun_args is the published arg with the __kwarg__ markers popped.
		funArgs, _ := data.Get("fun_args")
		if g, w := jsonOf(t, StripKwargMarkers(pub.Arg)), jsonOf(t, funArgs); g != w {
			t.Errorf("%s: fun_args %s, want %s", run.cmdline, g, w)
		}
	}
	if n == 0 {
		t.Fatalf("%s: no ret event for jid %s", run.cmdline, pub.Jid)
	}
}

func TestObservedTestFunctions(t *testing.T) {
	e := New(Options{})
	for _, f := range []string{"01-test.ping.json", "02-test.echo.json", "04-test.arg.json"} {
		for _, run := range loadObserved(t, f) {
			checkAgainst(t, e, run)
		}
	}
}

func TestObservedCmdRun(t *testing.T) {
	e := New(Options{})
	for _, run := range loadObserved(t, "03-cmd.run.json") {
		checkAgainst(t, e, run)
	}
}

func TestObservedGrainsGet(t *testing.T) {
	e := New(Options{Grains: func() map[string]any { return map[string]any{"os": "Debian", "os_family": "Debian"} }})
	for _, run := range loadObserved(t, "05-grains.get.json") {
		checkAgainst(t, e, run)
	}
}

// TestObservedGrainsItems feeds a minion's observed grains back as the
// provider: grains.items must return them all, with the nested outputter.
func TestObservedGrainsItems(t *testing.T) {
	for _, run := range loadObserved(t, "06-grains.items.json") {
		pub := pubFromEvent(run.newJob)
		for tag, data := range run.rets {
			ret, _ := data.Map("return")
			grains := map[string]any{}
			for _, it := range ret {
				grains[it.Key] = it.Value
			}
			e := New(Options{Grains: func() map[string]any { return grains }})
			got := e.Run(context.Background(), pub.Fun, pub.Arg, pub)
			out, _ := data.String("out")
			if got.Out != out || out != "nested" || !got.Success {
				t.Errorf("%s: out %q success %v, want out %q", tag, got.Out, got.Success, out)
			}
			m, ok := got.Return.(body.Map)
			if !ok || len(m) != len(ret) {
				t.Fatalf("%s: grains.items returned %T with %d grains, want %d", tag, got.Return, len(m), len(ret))
			}
			for _, it := range ret {
				v, _ := m.Get(it.Key)
				if jsonOf(t, v) != jsonOf(t, it.Value) {
					t.Errorf("%s: grain %s = %s, want %s", tag, it.Key, jsonOf(t, v), jsonOf(t, it.Value))
				}
			}
			break
		}
	}
}

func TestObservedUnknownFunction(t *testing.T) {
	e := New(Options{})
	for _, f := range []string{"08-nonexistent-function.json", "09-nonexistent-module.json"} {
		for _, run := range loadObserved(t, f) {
			checkAgainst(t, e, run)
		}
	}
}

// fakeJobs is a Jobs provider with fixed proc records.
type fakeJobs []map[string]any

func (f fakeJobs) Running() []map[string]any { return f }

// TestObservedFindJob answers the CLI's saltutil.find_job publish from
// 07-test.sleep-timeout.json with the proc record of the sleeping job, and
// must return what Salt returned, key order included; a minion no longer
// running the job answers {} (08-nonexistent-function.json, min2).
func TestObservedFindJob(t *testing.T) {
	for _, run := range loadObserved(t, "07-test.sleep-timeout.json") {
		sleepPub := pubFromEvent(run.newJob)
		var findPub *Pub
		for _, ev := range run.events {
			tag, _ := ev.String("tag")
			data, _ := ev.Map("data")
			if strings.HasSuffix(tag, "/new") {
				if fun, _ := data.String("fun"); fun == "saltutil.find_job" {
					p := pubFromEvent(data)
					findPub = &p
				}
			}
		}
		if findPub == nil {
			t.Fatalf("%s: no find_job publish", run.cmdline)
		}
		for tag, data := range run.rets {
			if !strings.Contains(tag, "/"+findPub.Jid+"/") {
				continue
			}
			want, _ := data.Map("return")
			pid, _ := want.Int("pid")
			jobs := fakeJobs{
				ProcRecord(int(pid), sleepPub),
				ProcRecord(int(pid), *findPub), // the find_job job itself, never reported
			}
			e := New(Options{Jobs: jobs})
			got := e.Run(context.Background(), findPub.Fun, findPub.Arg, *findPub)
			if g, w := jsonOf(t, got.Return), jsonOf(t, want); g != w {
				t.Errorf("%s: find_job returned\n %s\nwant %s", tag, g, w)
			}
			if !got.Success || got.Retcode != 0 {
				t.Errorf("%s: find_job retcode %d success %v", tag, got.Retcode, got.Success)
			}
			e = New(Options{Jobs: fakeJobs{ProcRecord(int(pid), *findPub)}})
			if got := e.Run(context.Background(), findPub.Fun, findPub.Arg, *findPub); jsonOf(t, got.Return) != "{}" {
				t.Errorf("find_job with the job finished = %s, want {}", jsonOf(t, got.Return))
			}
			break
		}
	}
}

package client_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The find_job cycle on the fake clock: the time the returns are waited
// for, and each saltutil.find_job round, pass only as the test advances
// the clock, so the tests can look on either side of each deadline.

// newFakeClockClient is a client on clock f whose rounds last 10 s
// (gather_job_timeout) and whose other timers (the reply, the probes of
// the master) are far beyond the test's deadlines.
func newFakeClockClient(t *testing.T, dir string, f *clock.Fake) (*client.LocalClient, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	log := logrus.New()
	log.SetOutput(logs)
	log.SetLevel(logrus.DebugLevel)
	c, err := client.New(client.Config{SockDir: dir, Key: testKey, User: "root", Clock: f, Log: log,
		GatherJobTimeout: 10 * time.Second, ReplyTimeout: time.Hour, ProbeInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, logs
}

// waitPending waits until a timer of f is armed for at.
func waitPending(t *testing.T, f *clock.Fake, at time.Time) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !slices.ContainsFunc(f.Pending(), at.Equal) {
		if time.Now().After(end) {
			t.Fatalf("no timer armed for %v; pending %v", at, f.Pending())
		}
		time.Sleep(time.Millisecond)
	}
}

// waitUntil polls cond until it holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, what, deadline, cond)
}

// nextReturn waits for the next Return; ok is false when the channel closed.
func nextReturn(t *testing.T, ch <-chan client.Return) (client.Return, bool) {
	t.Helper()
	select {
	case r, ok := <-ch:
		return r, ok
	case <-time.After(deadline):
		t.Fatalf("no return within %v", deadline)
	}
	return client.Return{}, false
}

func noReturnYet(t *testing.T, ch <-chan client.Return, when string) {
	t.Helper()
	select {
	case r, ok := <-ch:
		t.Fatalf("%s: return %+v (open %v), want none yet", when, r, ok)
	default:
	}
}

// A minion that never answers: find_job goes out when the timeout has
// passed, not before, and the minion is reported [No response] when the
// round's gather_job_timeout has passed, not before.
func TestFindJobRoundsOnTheFakeClock(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	ms := ping("a", "b")
	ms[1].Withhold, ms[1].Silent = true, true
	m := startManor(t, dir, nil, ms...)
	f := clock.NewFake()
	c, _ := newFakeClockClient(t, dir, f)
	jid, minions := publish(t, c, "*", "glob", "test.ping")
	t0 := f.Now()
	rets := c.Returns(context.Background(), jid, minions, 5*time.Second)
	if r, _ := nextReturn(t, rets); r.ID != "a" || r.Missing != "" {
		t.Fatalf("first return %+v", r)
	}

	waitPending(t, f, t0.Add(5*time.Second)) // the timeout, and nothing before it
	if p := f.Pending(); p[0].Before(t0.Add(5 * time.Second)) {
		t.Fatalf("a timer before the timeout: %v", p)
	}
	f.Advance(5*time.Second - time.Millisecond)
	if n := len(m.Loads()); n != 1 {
		t.Fatalf("%d publishes before the timeout passed, want only the job", n)
	}
	f.Advance(time.Millisecond)
	waitUntil(t, "find_job after the timeout", func() bool { return len(m.Loads()) == 2 })
	fj := m.Loads()[1]
	if output(mustGet(fj, "fun")) != `"saltutil.find_job"` || output(mustGet(fj, "tgt")) != `["b"]` {
		t.Fatalf("second publish %v: want find_job to b", fj)
	}

	// The round lasts gather_job_timeout from the find_job.
	end := t0.Add(15 * time.Second)
	waitPending(t, f, end)
	if p := f.Pending(); p[0].Before(end) {
		t.Fatalf("a timer before the round's end: %v", p)
	}
	f.Advance(10*time.Second - time.Millisecond)
	noReturnYet(t, rets, "before gather_job_timeout")
	f.Advance(time.Millisecond)
	r, ok := nextReturn(t, rets)
	if !ok || r.ID != "b" || r.Missing != client.NoResponse {
		t.Fatalf("after gather_job_timeout: %+v (open %v), want b [No response]", r, ok)
	}
	if _, ok := nextReturn(t, rets); ok {
		t.Fatal("returns went on after the last minion")
	}
	if n := len(m.Loads()); n != 2 {
		t.Errorf("%d publishes, want the job and one find_job", n)
	}
}

// A minion that answers find_job that it still runs the job keeps the job
// open past the round: it is asked again when the round ends, and its
// return, when it comes, is the minion's return.
func TestFindJobStillRunningKeepsJobOpen(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	// Delay: it runs the job for an hour of real time, i.e. throughout.
	m := startManor(t, dir, nil, clienttest.Minion{ID: "c", Return: "slept", Delay: time.Hour})
	f := clock.NewFake()
	c, logs := newFakeClockClient(t, dir, f)
	jid, minions := publish(t, c, "c", "glob", "test.sleep")
	t0 := f.Now()
	rets := c.Returns(context.Background(), jid, minions, 5*time.Second)

	stillRuns := func(n int) {
		t.Helper()
		waitUntil(t, "find_job answer taken", func() bool {
			return strings.Count(logs.String(), "c still runs it") >= n
		})
	}
	waitPending(t, f, t0.Add(5*time.Second))
	f.Advance(5 * time.Second)
	waitUntil(t, "first find_job", func() bool { return len(m.Loads()) == 2 })
	stillRuns(1)
	end := t0.Add(15 * time.Second)
	waitPending(t, f, end)
	f.Advance(10*time.Second - time.Millisecond)
	noReturnYet(t, rets, "during the first round")
	f.Advance(time.Millisecond)
	// Still running at the round's end: asked again, not reported missing.
	waitUntil(t, "second find_job", func() bool { return len(m.Loads()) == 3 })
	stillRuns(2)
	noReturnYet(t, rets, "after the first round")

	rc := int64(0)
	m.Fire(job.RetTag(jid, "c"), job.ReturnLoad(job.Return{Success: true, Return: "slept", Retcode: &rc,
		JID: jid, Fun: "test.sleep", FunArgs: []any{}, ID: "c"}))
	r, ok := nextReturn(t, rets)
	if !ok || r.ID != "c" || r.Ret != "slept" || r.Missing != "" {
		t.Fatalf("return %+v (open %v), want c's", r, ok)
	}
	if _, ok := nextReturn(t, rets); ok {
		t.Fatal("returns went on after the last minion")
	}
}

package client_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

const testKey = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3y"

// deadline bounds every wait: far above what any step needs.
const deadline = 15 * time.Second

func sockDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "c")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func startManor(t *testing.T, dir string, setup func(*clienttest.Manor), minions ...clienttest.Minion) *clienttest.Manor {
	t.Helper()
	m, err := clienttest.New(dir, testKey, minions...)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(m)
	}
	m.Start()
	t.Cleanup(m.Close)
	return m
}

func newClient(t *testing.T, dir, key string, gather time.Duration) *client.LocalClient {
	t.Helper()
	c, err := client.New(client.Config{SockDir: dir, Key: key, User: "root", GatherJobTimeout: gather, ReplyTimeout: deadline})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ping(ids ...string) []clienttest.Minion {
	var ms []clienttest.Minion
	for _, id := range ids {
		ms = append(ms, clienttest.Minion{ID: id, Return: true})
	}
	return ms
}

// collect reads the channel to its end.
func collect(t *testing.T, ch <-chan client.Return) []client.Return {
	t.Helper()
	var got []client.Return
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		select {
		case r, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, r)
		case <-timer.C:
			t.Fatalf("returns did not end within %v; got %+v", deadline, got)
		}
	}
}

func byID(rs []client.Return) map[string]client.Return {
	m := map[string]client.Return{}
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

func publish(t *testing.T, c *client.LocalClient, tgt any, tgtType, fun string, args ...any) (string, []string) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	jid, minions, err := c.Publish(context.Background(), tgt, tgtType, fun, args, job.CLIKwargs(true, false, ":", true))
	if err != nil {
		t.Fatalf("publish %s: %v", fun, err)
	}
	return jid, minions
}

func TestPublishAndReturns(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	m := startManor(t, dir, nil, ping("a", "b", "c")...)
	c := newClient(t, dir, testKey, time.Second)
	jid, minions := publish(t, c, "*", "glob", "test.ping")
	if !job.IsJID(jid) || !slices.Equal(minions, []string{"a", "b", "c"}) {
		t.Fatalf("jid %q minions %v", jid, minions)
	}
	got := collect(t, c.Returns(context.Background(), jid, minions, 5*time.Second))
	if len(got) != 3 {
		t.Fatalf("%d returns: %+v", len(got), got)
	}
	for i, id := range []string{"a", "b", "c"} {
		r := got[i]
		if r.ID != id || r.Ret != true || r.Missing != "" || r.Retcode != 0 || r.JID != jid || r.Data == nil {
			t.Errorf("return %d: %+v", i, r)
		}
	}
	// The event yard subscribed before the publish, from the event yard.
	if subs := m.Subscribers(); !slices.Equal(subs, []string{c.EventYard()}) {
		t.Errorf("subscribers %v, want [%s]", subs, c.EventYard())
	}
	loads := m.Loads()
	if len(loads) != 1 {
		t.Fatalf("%d publishes, want 1 (no find_job when all returned)", len(loads))
	}
	want := job.PublishLoad(job.Publish{Tgt: "*", Fun: "test.ping", Arg: []any{}, Key: testKey, TgtType: "glob",
		Kwargs: job.CLIKwargs(true, false, ":", true), User: "root"})
	if body.Map(loads[0]).Keys()[0] != "cmd" || len(loads[0]) != len(want) {
		t.Errorf("load %v, want %v", loads[0], want)
	}
	for _, it := range want {
		v, _ := loads[0].Get(it.Key)
		if output(v) != output(it.Value) {
			t.Errorf("load %s = %v, want %v", it.Key, v, it.Value)
		}
	}
}

func output(v any) string {
	b, _ := body.AppendJSON(nil, v)
	return string(b)
}

// Events come on the event yard, the reply on the client yard, in no fixed
// order: returns fired before the reply are kept, and another job's
// events are not taken for this one's.
func TestReturnsBeforeReplyAndNoise(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	startManor(t, dir, func(m *clienttest.Manor) { m.RetsBeforeReply, m.Noise = true, true }, ping("a", "b")...)
	c := newClient(t, dir, testKey, time.Second)
	jid, minions := publish(t, c, "*", "glob", "test.ping")
	got := collect(t, c.Returns(context.Background(), jid, minions, 5*time.Second))
	if len(got) != 2 || got[0].Ret != true || got[1].Ret != true || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("returns %+v", got)
	}
}

// A minion that got the job and then tells find_job it is not running it
// is reported [No response] — without waiting out gather_job_timeout.
func TestMissingNoResponse(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	ms := ping("a", "b", "c")
	ms[1].Withhold = true
	m := startManor(t, dir, nil, ms...)
	c := newClient(t, dir, testKey, 10*time.Second)
	jid, minions := publish(t, c, "*", "glob", "test.ping")
	start := time.Now()
	got := collect(t, c.Returns(context.Background(), jid, minions, 300*time.Millisecond))
	took := time.Since(start)
	if len(got) != 3 || got[0].ID != "a" || got[1].ID != "c" {
		t.Fatalf("returns %+v", got)
	}
	b := got[2]
	if b.ID != "b" || b.Missing != client.NoResponse || b.Ret != "Minion did not return. [No response]" || b.Out != "no_return" || b.Retcode != 1 || b.Data != nil {
		t.Errorf("missing b: %+v", b)
	}
	if took < 300*time.Millisecond || took > 5*time.Second {
		t.Errorf("took %v: want past the 300ms timeout, and well before gather_job_timeout (10s)", took)
	}
	loads := m.Loads()
	if len(loads) != 2 {
		t.Fatalf("%d publishes, want the job and one find_job", len(loads))
	}
	fj := loads[1]
	if fun, _ := fj.String("fun"); fun != "saltutil.find_job" {
		t.Errorf("second publish %v", fj)
	}
	if output(mustGet(fj, "tgt")) != `["b"]` || output(mustGet(fj, "tgt_type")) != `"list"` || output(mustGet(fj, "arg")) != `["`+jid+`"]` {
		t.Errorf("find_job load %v", fj)
	}
}

func mustGet(m body.Map, k string) any { v, _ := m.Get(k); return v }

// No delivered event: [Not delivered]. A minion the master says it could
// not deliver to is not asked with find_job, and its error is kept.
func TestNotDelivered(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	ms := ping("a", "b", "c")
	ms[1].Withhold, ms[1].NoDelivered, ms[1].Silent = true, true, true
	ms[2].Undelivered = "not allowed"
	m := startManor(t, dir, nil, ms...)
	c := newClient(t, dir, testKey, 500*time.Millisecond)
	jid, minions := publish(t, c, "*", "glob", "test.ping")
	got := collect(t, c.Returns(context.Background(), jid, minions, 300*time.Millisecond))
	if len(got) != 3 || got[0].ID != "a" || got[0].Ret != true {
		t.Fatalf("returns %+v", got)
	}
	if b := got[1]; b.ID != "b" || b.Missing != client.NotDelivered || b.Ret != "Minion did not return. [Not delivered]" {
		t.Errorf("b: %+v", b)
	}
	if c := got[2]; c.ID != "c" || c.Missing != client.NotDelivered || c.Error != "not allowed" {
		t.Errorf("c: %+v", c)
	}
	loads := m.Loads()
	if len(loads) != 2 || output(mustGet(loads[1], "tgt")) != `["b"]` {
		t.Errorf("publishes %v: want one find_job to b only", loads)
	}
}

// Every minion the master could not deliver to: no find_job at all, and no
// waiting for the timeout.
func TestAllUndeliveredEndsAtOnce(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	m := startManor(t, dir, nil, clienttest.Minion{ID: "a", Undelivered: "timed out"})
	c := newClient(t, dir, testKey, 10*time.Second)
	jid, minions := publish(t, c, "a", "glob", "test.ping")
	start := time.Now()
	got := collect(t, c.Returns(context.Background(), jid, minions, 10*time.Second))
	if len(got) != 1 || got[0].Missing != client.NotDelivered || got[0].Error != "timed out" {
		t.Fatalf("returns %+v", got)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("waited %v for a minion the master could not deliver to", took)
	}
	if n := len(m.Loads()); n != 1 {
		t.Errorf("%d publishes, want no find_job", n)
	}
}

// A minion past the timeout that says it still runs the job is waited for.
func TestStillRunningIsWaitedFor(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	ms := ping("a", "b")
	ms[1].Delay = 1200 * time.Millisecond
	ms[1].Return = "slept"
	m := startManor(t, dir, nil, ms...)
	c := newClient(t, dir, testKey, 5*time.Second)
	jid, minions := publish(t, c, "*", "glob", "test.sleep")
	got := collect(t, c.Returns(context.Background(), jid, minions, 300*time.Millisecond))
	if len(got) != 2 || got[1].ID != "b" || got[1].Ret != "slept" || got[1].Missing != "" {
		t.Fatalf("returns %+v", got)
	}
	if loads := m.Loads(); len(loads) < 2 || output(mustGet(loads[1], "fun")) != `"saltutil.find_job"` {
		t.Errorf("publishes %v: want a find_job after the timeout", loads)
	}
}

// A minion that never answers find_job: the round lasts gather_job_timeout.
func TestSilentMinionWaitsGatherJobTimeout(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	startManor(t, dir, nil, clienttest.Minion{ID: "a", Withhold: true, Silent: true})
	c := newClient(t, dir, testKey, 700*time.Millisecond)
	jid, minions := publish(t, c, "a", "glob", "test.ping")
	start := time.Now()
	got := collect(t, c.Returns(context.Background(), jid, minions, 200*time.Millisecond))
	took := time.Since(start)
	if len(got) != 1 || got[0].Missing != client.NoResponse {
		t.Fatalf("returns %+v", got)
	}
	if took < 900*time.Millisecond {
		t.Errorf("ended after %v: before timeout + gather_job_timeout (0.9s)", took)
	}
}

func TestNoMinionsMatched(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	m := startManor(t, dir, nil, ping("a")...)
	c := newClient(t, dir, testKey, time.Second)
	_, _, err := c.Publish(context.Background(), "nomatch*", "glob", "test.ping", []any{}, nil)
	if !errors.Is(err, client.ErrNoMinions) {
		t.Fatalf("err %v, want ErrNoMinions", err)
	}
	if len(m.Loads()) != 1 {
		t.Error("the publish did not reach the manor")
	}
}

func TestBadKeyRefused(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	startManor(t, dir, nil, ping("a")...)
	c := newClient(t, dir, "wrong", time.Second)
	_, _, err := c.Publish(context.Background(), "*", "glob", "test.ping", []any{}, nil)
	var pe *client.PublishError
	if !errors.As(err, &pe) || pe.Name != "AuthenticationError" || pe.Message == "" {
		t.Fatalf("err %v, want an AuthenticationError", err)
	}
}

func TestNoMaster(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	_, err := client.New(client.Config{SockDir: dir, Key: testKey})
	if !errors.Is(err, client.ErrNoMaster) {
		t.Fatalf("no socket: err %v", err)
	}
	// A socket file nobody listens on, as a master that died leaves it.
	if err := os.WriteFile(lane.HA(dir, "master", "manor"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = client.New(client.Config{SockDir: dir, Key: testKey})
	if !errors.Is(err, client.ErrNoMaster) {
		t.Fatalf("dead socket: err %v", err)
	}
	// The client's own yards are gone again.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != filepath.Base(lane.HA(dir, "master", "manor")) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestCancelEndsReturns(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	startManor(t, dir, nil, clienttest.Minion{ID: "a", Withhold: true})
	c := newClient(t, dir, testKey, time.Minute)
	jid, minions := publish(t, c, "a", "glob", "test.ping")
	ctx, cancel := context.WithCancel(context.Background())
	ch := c.Returns(ctx, jid, minions, time.Minute)
	cancel()
	if got := collect(t, ch); len(got) != 0 {
		t.Errorf("returns after cancel: %+v", got)
	}
}

func TestCloseEndsReturns(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	startManor(t, dir, nil, clienttest.Minion{ID: "a", Withhold: true})
	c := newClient(t, dir, testKey, time.Minute)
	jid, minions := publish(t, c, "a", "glob", "test.ping")
	ch := c.Returns(context.Background(), jid, minions, time.Minute)
	c.Close()
	collect(t, ch)
	if _, _, err := c.Publish(context.Background(), "a", "glob", "test.ping", nil, nil); !errors.Is(err, client.ErrClosed) {
		t.Errorf("publish after close: %v", err)
	}
}

func TestRetcode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		data body.Map
		want int
	}{
		{body.Map{{Key: "retcode", Value: int64(0)}, {Key: "success", Value: true}}, 0},
		{body.Map{{Key: "retcode", Value: int64(2)}}, 2},
		{body.Map{{Key: "retcode", Value: int64(0)}, {Key: "success", Value: false}}, 0},
		{body.Map{{Key: "success", Value: false}}, 1},
		{body.Map{{Key: "success", Value: true}}, 0},
		{body.Map{}, 0},
		{body.Map{{Key: "retcode", Value: body.Map{{Key: "test.ping", Value: int64(0)}, {Key: "cmd.run", Value: int64(3)}}}}, 3},
		{body.Map{{Key: "retcode", Value: "x"}}, 1},
	} {
		if got := client.Retcode(c.data); got != c.want {
			t.Errorf("Retcode(%v) = %d, want %d", c.data, got, c.want)
		}
	}
}

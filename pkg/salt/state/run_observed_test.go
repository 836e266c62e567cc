package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The files testdata/run/salt-3006-*.json are what real Salt 3006.3
// returned (salt-call --local state.apply rN --out json, the "local"
// dict) for the sls files beside them; each test here runs the same
// states as low chunks with test states of its own and must give the
// same dict: the same tags in the same order, each return with the same
// keys in the same order and the same values, start_time, duration and
// pids aside.

func observedRun(t *testing.T, name string) body.Map {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "run", "salt-3006-"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(body.Map)
	if !ok {
		t.Fatalf("%s: not a dict", name)
	}
	return m
}

// normalized is the result dict as JSON with what differs from run to
// run blanked: start_time, duration, and the pid of a command.
func normalized(t *testing.T, res body.Map) string {
	t.Helper()
	out := make(body.Map, len(res))
	for i, it := range res {
		ret, ok := it.Value.(body.Map)
		if !ok {
			t.Fatalf("%s: return is %T", it.Key, it.Value)
		}
		ret = append(body.Map(nil), ret...)
		if ret.Has("start_time") {
			ret.Set("start_time", "HH:MM:SS.ffffff")
		}
		if ret.Has("duration") {
			ret.Set("duration", 0.0)
		}
		if ch, ok := ret.Map("changes"); ok && ch.Has("pid") {
			ch = append(body.Map(nil), ch...)
			ch.Set("pid", int64(0))
			ret.Set("changes", ch)
		}
		out[i] = body.Item{Key: it.Key, Value: ret}
	}
	b, err := body.AppendJSONIndent(nil, out, 4)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compareObserved(t *testing.T, name string, got body.Map) {
	t.Helper()
	want := normalized(t, observedRun(t, name))
	have := normalized(t, got)
	if want == have {
		return
	}
	wl, hl := strings.Split(want, "\n"), strings.Split(have, "\n")
	for i := 0; i < len(wl) || i < len(hl); i++ {
		var w, h string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(hl) {
			h = hl[i]
		}
		if w != h {
			t.Fatalf("%s differs from Salt at line %d:\nsalt: %s\nours: %s\n\nours whole:\n%s", name, i+1, w, h, have)
		}
	}
}

func TestRunMatchesSaltRequireOnchangesOnfailWatchChecks(t *testing.T) {
	chunks := []Low{
		lo("r1", "a", "test.succeed_with_changes", nil),
		lo("r1", "b", "test.fail_without_changes", nil),
		lo("r1", "c", "test.succeed_without_changes", nil, rq("require", "test:b", "test:a")...),
		lo("r1", "d", "test.succeed_without_changes", nil, rq("onchanges", "test:c")...),
		lo("r1", "e", "test.succeed_without_changes", nil, rq("onfail", "test:b")...),
		lo("r1", "f", "test.succeed_without_changes", nil, rq("onfail", "test:a")...),
		lo("r1", "g", "cmd.wait", body.Map{{Key: "name", Value: "echo hi"}}, rq("watch", "test:a")...),
		lo("r1", "h", "test.nop", body.Map{{Key: "onlyif", Value: "false"}}),
		lo("r1", "i", "test.nop", body.Map{{Key: "unless", Value: "true"}}),
		lo("r1", "j", "test.nop", body.Map{{Key: "creates", Value: "/etc/passwd"}}),
		lo("r1", "k", "test.nop", nil, rq("require", "test:nosuch")...),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r1", got)
}

func TestRunMatchesSaltPrereqWatchAnyAll(t *testing.T) {
	sw := "test.succeed_without_changes"
	chunks := []Low{
		lo("r2", "pa", "test.succeed_with_changes", nil, rq("prereq", "test:pb")...),
		lo("r2", "pb", "test.succeed_with_changes", nil),
		lo("r2", "pc", "test.succeed_with_changes", nil, rq("prereq", "test:pd")...),
		lo("r2", "pd", sw, nil),
		lo("r2", "w1", sw, nil, rq("watch", "test:pb")...),
		lo("r2", "w2", "test.succeed_with_changes", nil, rq("watch", "test:pb")...),
		lo("r2", "w3", sw, nil, rq("watch", "test:pd")...),
		lo("r2", "ra", sw, nil, rq("require_any", "test:nope1", "test:pd")...),
		lo("r2", "rb", "test.fail_without_changes", body.Map{{Key: "name", Value: "rbn"}}),
		lo("r2", "rc", sw, nil, rq("require_any", "test:rb", "test:pd")...),
		lo("r2", "rd", sw, nil, rq("require_any", "test:rb")...),
		lo("r2", "oa", sw, nil, rq("onchanges_any", "test:pd", "test:pb")...),
		lo("r2", "ob", sw, nil, rq("onchanges", "test:pd", "test:pb")...),
		lo("r2", "oc", sw, nil, rq("onfail_any", "test:rb", "test:pd")...),
		lo("r2", "od", sw, nil, rq("onfail_all", "test:rb", "test:pd")...),
		lo("r2", "oe", sw, nil, rq("onfail", "test:rb", "test:pd")...),
		lo("r2", "of", sw, nil, reqs(rq("require", "rbn", "sls:r1x"))...),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r2", got)
}

func TestRunMatchesSaltUseListenRetryParallelMissing(t *testing.T) {
	chunks := []Low{
		lo("r3", "ua", "test.configurable_test_state", body.Map{{Key: "changes", Value: false}, {Key: "comment", Value: "from ua"}}),
		lo("r3", "ub", "test.configurable_test_state", nil, rq("use", "test:ua")...),
		lo("r3", "li", "test.succeed_without_changes", nil, rq("listen", "test:lb")...),
		lo("r3", "lb", "test.succeed_with_changes", nil),
		lo("r3", "rt", "test.fail_without_changes", body.Map{{Key: "retry", Value: body.Map{
			{Key: "attempts", Value: int64(3)}, {Key: "interval", Value: int64(1)}}}}),
		lo("r3", "pp1", "cmd.run", body.Map{{Key: "name", Value: "sleep 1; echo p1"}, {Key: "parallel", Value: true}}),
		lo("r3", "pp2", "cmd.run", body.Map{{Key: "name", Value: "sleep 1; echo p2"}, {Key: "parallel", Value: true}}),
		lo("r3", "pp3", "test.nop", nil, rq("require", "cmd:pp1")...),
		lo("r3", "nf", "test.nosuchfun", nil),
		lo("r3", "nm", "nosuchmod.fun", nil),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r3", got)
}

func TestRunMatchesSaltFailhard(t *testing.T) {
	chunks := []Low{
		lo("r4", "f1", "test.succeed_with_changes", nil),
		lo("r4", "f2", "test.fail_without_changes", body.Map{{Key: "failhard", Value: true}}),
		lo("r4", "f3", "test.succeed_with_changes", nil),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r4", got)
}

func TestRunMatchesSaltTestMode(t *testing.T) {
	chunks := []Low{
		lo("r5", "t1", "test.succeed_with_changes", body.Map{{Key: "retry", Value: body.Map{
			{Key: "attempts", Value: int64(3)}, {Key: "interval", Value: int64(2)}}}}),
		lo("r5", "t2", "test.succeed_without_changes", nil, rq("onchanges", "test:t1")...),
		lo("r5", "t3", "cmd.wait", body.Map{{Key: "name", Value: "echo x"}}, rq("watch", "test:t1")...),
		lo("r5", "t4", "test.fail_without_changes", nil),
		lo("r5", "t5", "test.nop", nil, rq("require", "test:t4")...),
		lo("r5", "t6", "test.succeed_with_changes", nil, rq("prereq", "test:t1")...),
	}
	got, _ := runWith(chunks, true)
	compareObserved(t, "r5-test", got)
}

func TestRunMatchesSaltPrereqFailCheckCmdFunctionChecksRetryUntilListenError(t *testing.T) {
	nop := "test.nop"
	chunks := []Low{
		lo("r6", "x1", "test.succeed_without_changes", nil, rq("prereq", "test:x2")...),
		lo("r6", "x2", "test.fail_with_changes", nil),
		lo("r6", "y1", "test.succeed_with_changes", body.Map{{Key: "check_cmd", Value: []any{"false"}}}),
		lo("r6", "y2", nop, body.Map{{Key: "onlyif", Value: []any{body.Map{{Key: "fun", Value: "test.true"}}}}}),
		lo("r6", "y3", nop, body.Map{{Key: "onlyif", Value: []any{body.Map{{Key: "fun", Value: "test.false"}}}}}),
		lo("r6", "y4", nop, body.Map{{Key: "unless", Value: []any{"false"}}, {Key: "onlyif", Value: []any{"true"}}}),
		lo("r6", "y5", "test.succeed_without_changes", body.Map{{Key: "retry", Value: body.Map{
			{Key: "until", Value: false}, {Key: "attempts", Value: int64(2)}, {Key: "interval", Value: int64(0)}}}}),
		lo("r6", "l1", nop, nil, rq("listen", "test:nosuch")...),
		lo("r6", "o1", "test.succeed_without_changes", nil, rq("onchanges", "test:o2")...),
		lo("r6", "o2", "test.succeed_with_changes", nil),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r6", got)
}

func TestRunMatchesSaltFailedPrereqAndFailhardInARequire(t *testing.T) {
	chunks := []Low{
		lo("r7", "p1", "test.succeed_with_changes", nil, rq("prereq", "test:p2")...),
		lo("r7", "p2", "test.fail_without_changes", nil),
		lo("r7", "h1", "test.succeed_without_changes", nil, rq("require", "test:h2")...),
		lo("r7", "h2", "test.fail_without_changes", body.Map{{Key: "failhard", Value: true}}),
		lo("r7", "h3", "test.succeed_without_changes", nil),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r7", got)
}

func r8Chunks() []Low {
	sw := "test.succeed_without_changes"
	return []Low{
		lo("r8", "qb", "test.succeed_with_changes", nil),
		lo("r8", "qa", sw, nil, rq("prereq", "test:qb")...),
		lo("r8", "qc", sw, nil),
		lo("r8", "qd", sw, nil, reqs(rq("prereq", "test:qc"), rq("watch", "test:qb"))...),
		lo("r8", "pr", "test.fail_without_changes", body.Map{{Key: "parallel", Value: true}, {Key: "retry", Value: body.Map{
			{Key: "attempts", Value: int64(2)}, {Key: "interval", Value: int64(0)}}}}),
		lo("r8", "pw", sw, body.Map{{Key: "parallel", Value: true}}, rq("watch", "test:qb")...),
	}
}

func TestRunMatchesSaltPrereqBeforeItsTargetParallelRetryAndWatch(t *testing.T) {
	got, _ := runWith(r8Chunks(), false)
	compareObserved(t, "r8", got)
}

func TestRunMatchesSaltPrereqBeforeItsTargetParallelRetryAndWatchTestMode(t *testing.T) {
	got, _ := runWith(r8Chunks(), true)
	compareObserved(t, "r8-test", got)
}

// TestRunMatchesSaltListenIn: Salt's low data keeps listen_in on the
// chunk listened to (state.show_low_sls shows it there); the runtime
// follows it from there.
func TestRunMatchesSaltListenIn(t *testing.T) {
	chunks := []Low{
		lo("r9", "la", "test.succeed_with_changes", nil, rq("listen_in", "test:lc", "test:nosuch")...),
		lo("r9", "lb", "test.succeed_without_changes", nil, rq("listen_in", "test:lc")...),
		lo("r9", "lc", "test.succeed_without_changes", nil),
	}
	got, _ := runWith(chunks, false)
	compareObserved(t, "r9", got)
}

// TestListenInTurnedByTheCompilerGivesTheSame: the listen_in written as
// the listener's listen gives the same run.
func TestListenInTurnedByTheCompilerGivesTheSame(t *testing.T) {
	chunks := []Low{
		lo("r9", "la", "test.succeed_with_changes", nil),
		lo("r9", "lb", "test.succeed_without_changes", nil),
		lo("r9", "lc", "test.succeed_without_changes", nil, rq("listen", "test:la", "test:lb")...),
	}
	got, _ := runWith(chunks, false)
	want := observedRun(t, "r9")
	want = want[:len(want)-1] // the Listen_Error of the missing listener aside
	if a, b := normalized(t, got), normalized(t, want); a != b {
		t.Fatalf("got\n%s\nwant\n%s", a, b)
	}
}

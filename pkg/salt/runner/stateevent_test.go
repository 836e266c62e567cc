package runner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// TestStateEvent reads the master's bus over its lane: the periodic
// presence events, matched by a regular expression that is no glob, are
// printed as "tag\tjson" until count is reached; the presence changes
// that do not match are not printed.
func TestStateEvent(t *testing.T) {
	c := startCluster(t, "", "m1")
	c.waitPresent("m1")
	out := &testutil.SyncBuffer{}
	r := runner.New(c.env(out))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	res := r.Run(ctx, "state.event", []any{`tagmatch=salt/presence/pres.nt`, "count=2"})
	if res.Raised || res.Return != nil {
		t.Fatalf("state.event = %#v (raised %v), want None", res.Return, res.Raised)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("state.event count=2 printed %q, want two lines", out.String())
	}
	for _, line := range lines {
		checkEventLine(t, line, "salt/presence/present", false)
	}
}

// checkEventLine checks one printed event: its tag, a tab, and its data as
// json.dumps writes it (one line with ", " and ": ", or with pretty
// indented 4 with the keys sorted), naming m1 in its present list (by id,
// or by its estate's name).
func checkEventLine(t *testing.T, line, tag string, pretty bool) {
	t.Helper()
	gotTag, js, ok := strings.Cut(line, "\t")
	if !ok || gotTag != tag {
		t.Fatalf("event line %q: want the tag %s and a tab", line, tag)
	}
	v, err := body.DecodeJSON([]byte(js))
	if err != nil {
		t.Fatalf("event line %q: %v", line, err)
	}
	var want string
	if pretty {
		want, err = output.JSONOut(v, nil, true)
	} else {
		indent := -1
		want, err = output.JSONOut(v, &indent, false)
	}
	if err != nil || js != want {
		t.Errorf("event data printed %q, want %q (pretty %v)", js, want, pretty)
	}
	present, _ := v.(body.Map).Get("present")
	list, _ := present.([]any)
	if len(list) == 0 || !strings.HasPrefix(list[0].(string), "m1") {
		t.Errorf("event data %q does not list m1 as present", js)
	}
}

// TestStateEventPretty prints each event's data indented by 4 with its
// keys sorted, as json.dumps(sort_keys=True, indent=4); quiet prints
// nothing and still counts.
func TestStateEventPretty(t *testing.T) {
	c := startCluster(t, "", "m1", "m2")
	c.waitPresent("m1", "m2")
	out := &testutil.SyncBuffer{}
	r := runner.New(c.env(out))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	res := r.Run(ctx, "state.event", []any{"salt/presence/present", "count=1", "pretty=True"})
	if res.Raised {
		t.Fatalf("state.event raised: %v", res.Return)
	}
	if !strings.HasSuffix(out.String(), "\n}\n") || !strings.Contains(out.String(), "\n    \"present\": [\n        \"m1") {
		t.Errorf("state.event pretty printed %q, want the data indented by 4", out.String())
	}
	checkEventLine(t, strings.TrimSuffix(out.String(), "\n"), "salt/presence/present", true)
	quiet := &testutil.SyncBuffer{}
	r = runner.New(c.env(quiet))
	res = r.Run(ctx, "state.event", []any{"salt/presence/*", "count=2", "quiet=True"})
	if res.Raised || quiet.String() != "" {
		t.Errorf("quiet state.event = %#v, printed %q", res.Return, quiet.String())
	}
	if strings.Contains(out.String(), "change") {
		t.Errorf("a salt/presence/change event was printed for tagmatch salt/presence/present: %q", out.String())
	}
}

// TestStateEventRefusesMinionNode: salt-run reads the master's bus only.
func TestStateEventRefusesMinionNode(t *testing.T) {
	c := startCluster(t, "")
	r := runner.New(c.env(nil))
	res := r.Run(context.Background(), "state.event", []any{"node=minion", "count=1"})
	if !res.Raised || !strings.Contains(res.Return.(string), "node") {
		t.Errorf("state.event node=minion = %#v (raised %v), want an error naming node", res.Return, res.Raised)
	}
}

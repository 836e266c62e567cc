package runner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
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
	want := "salt/presence/present\t{\"present\": [\"m1_minion\"]}\n"
	if got := out.String(); got != want+want {
		t.Errorf("state.event printed %q, want twice %q", got, want)
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
	want := "salt/presence/present\t{\n    \"present\": [\n        \"m1_minion\",\n        \"m2_minion\"\n    ]\n}\n"
	if got := out.String(); got != want {
		t.Errorf("state.event pretty printed %q, want %q", got, want)
	}
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

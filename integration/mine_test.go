package integration

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// The mine with the real binaries: each minion's mine_functions reach the
// master's mine when it starts (Salt's run-on-start mine schedule), other
// minions read them with mine.get by glob and grain targets, mine.send,
// mine.delete and mine.flush change only the caller's own mine.
func TestMineAcrossMinions(t *testing.T) {
	c := newCluster(t, true)
	mine := "mine_functions:\n  test.ping: []\n  os_grain:\n    - mine_function: grains.get\n    - os\n"
	c.addMinion("web01", "grains:\n  os: Debian\n  role: web\n", mine)
	c.addMinion("db01", "grains:\n  os: Rocky\n  role: db\n", mine)
	c.waitReady("web01", "db01")

	eventually(t, "both mines kept at start", func() (bool, string) {
		got := c.jsonOf("web01", "mine.get", "*", "os_grain")
		want := map[string]any{"web01": map[string]any{"web01": "Debian", "db01": "Rocky"}}
		return reflect.DeepEqual(got, want), fmt.Sprint(got)
	})
	check := func(want any, args ...string) {
		t.Helper()
		if got := c.jsonOf(args...); !reflect.DeepEqual(got, want) {
			t.Errorf("salt-raet %v = %v, want %v", args, got, want)
		}
	}
	check(map[string]any{"db01": map[string]any{"web01": true}}, "db01", "mine.get", "role:web", "test.ping", "grain")
	check(map[string]any{"db01": map[string]any{"test.ping": map[string]any{"db01": true, "web01": true},
		"os_grain": map[string]any{"db01": "Rocky", "web01": "Debian"}}}, "db01", "mine.get", "*", "test.ping,os_grain")
	check(map[string]any{"db01": true}, "db01", "mine.send", "greeting", "mine_function=test.echo", "text=hello")
	check(map[string]any{"web01": map[string]any{"db01": "hello"}}, "web01", "mine.get", "*", "greeting")
	check(map[string]any{"web01": map[string]any{"db01": true}}, "web01", "mine.get", "db01,web01", "test.ping", "tgt_type=list", "exclude_minion=True")
	check(map[string]any{"db01": true}, "db01", "mine.delete", "greeting")
	check(map[string]any{"web01": map[string]any{}}, "web01", "mine.get", "*", "greeting")
	check(map[string]any{"web01": true}, "web01", "mine.flush")
	check(map[string]any{"db01": map[string]any{"db01": true}}, "db01", "mine.get", "*", "test.ping")
}

// A minion's start events and event.send reach a yard subscribed to the
// master's events, with the minion's id and Salt's stamp.
func TestMinionEventsReachMasterBus(t *testing.T) {
	c := newCluster(t, true)
	y := c.yard("event")
	sub := body.Map{{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}}}
	if err := y.Transmit(sub, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	c.addMinion("web01")
	start := waitEvent(t, y, "salt/minion/web01/start")
	if d, _ := start.String("data"); !strings.HasPrefix(d, "Minion web01 started at ") {
		t.Errorf("start event data %v", start)
	}
	c.waitReady("web01")
	if got := c.jsonOf("web01", "event.send", "myco/build/done", "foo=bar"); got["web01"] != true {
		t.Fatalf("event.send = %v", got)
	}
	data := waitEvent(t, y, "myco/build/done")
	id, _ := data.String("id")
	inner, _ := data.Map("data")
	foo, _ := inner.String("foo")
	stamp, _ := data.String("_stamp")
	if id != "web01" || foo != "bar" || stamp == "" {
		t.Fatalf("event data %v", data)
	}
}

// waitEvent waits for an event with the tag on the subscribed yard and
// returns its data.
func waitEvent(t *testing.T, y *lane.Stack, tag string) body.Map {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case rx := <-y.Receive():
			if got, _ := rx.Body.String("tag"); got == tag {
				data, _ := rx.Body.Map("data")
				return data
			}
		case <-deadline:
			t.Fatalf("no event %s reached the subscribed yard", tag)
		}
	}
}

package master

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// writeSLS writes a reactor sls file and returns its path.
func writeSLS(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runnerCalls records the runner reactions a test's master ran.
type runnerCalls struct {
	mu    sync.Mutex
	calls []string
}

func (r *runnerCalls) run(_ context.Context, fun string, args []any) modules.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %v", fun, render.Plain(args)))
	return modules.Result{Return: "ran", Success: true}
}

func (r *runnerCalls) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// An event a minion fires (event.send) whose tag matches a reactor glob
// renders the sls with tag and data, and runs its reactions: local
// publishes test.ping to the minion named in the event (its new event
// seen, the publish received), runner runs with 3006's args as keyword
// arguments, firing salt/run events under the user Reactor, and
// wheel.key.accept accepts the pending key it matches, firing salt/key,
// before wheel.key.list_all lists it (Salt's order: state, id, fun).
func TestReactorRunsReactions(t *testing.T) {
	dir := t.TempDir()
	sls := writeSLS(t, dir, "build.sls", `
ping_{{ data['id'] }}:
  local.test.ping:
    - tgt: {{ data['id'] }}
count_it:
  runner.test.count:
    - args:
      - who: {{ data['data']['foo'] }}
      - tag: {{ tag }}
      - master: {{ opts['id'] }}
accept_db:
  wheel.key.accept:
    - args:
      - match: db*
list_keys:
  wheel.key.list_all: []
`)
	rc := &runnerCalls{}
	tm := newMaster(t, "reactor:\n  - 'myco/build/*':\n    - "+sls+"\n", WithRunner(rc.run)).start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	signer, priv := testutil.EstateKeys(t)
	st, err := pki.Open(tm.cfg.PKIDir, pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := st.Status("db1", priv.PubHex(), signer.VerHex()); err != nil || a != raet.Pending {
		t.Fatalf("db1's key %v %v", a, err)
	}
	c := newClient(t, tm)
	c.subscribe()

	data := body.Map{{Key: "foo", Value: "Foo"}}
	if ret := web1.request(tm, protocol.MinionEventLoad("web1", "myco/build/done", data)); ret != true {
		t.Fatalf("_minion_event answered %v", ret)
	}
	nj := c.waitEvent(func(e event) bool {
		return strings.HasSuffix(e.tag, "/new") && strings.HasPrefix(e.tag, "salt/job/") && get(e.data, "fun") == "test.ping"
	})
	if get(nj.data, "tgt") != "web1" || get(nj.data, "tgt_type") != "glob" {
		t.Errorf("reactor's job %v", nj.data)
	}
	if p := web1.waitPub(); get(p, "pub", "fun") != "test.ping" {
		t.Errorf("publish %v", p)
	}

	ret := c.waitEvent(func(e event) bool { return strings.HasPrefix(e.tag, "salt/run/") && strings.HasSuffix(e.tag, "/ret") })
	if get(ret.data, "fun") != "runner.test.count" || get(ret.data, "user") != ReactorUser || get(ret.data, "return") != "ran" {
		t.Errorf("runner ret event %v", ret.data)
	}
	if calls := rc.list(); len(calls) != 1 || calls[0] != "test.count [map[__kwarg__:true master:saltmaster tag:myco/build/done who:Foo]]" {
		t.Errorf("runner calls %q", calls)
	}

	key := c.waitEvent(func(e event) bool { return e.tag == TagKey })
	if get(key.data, "act") != "accept" || get(key.data, "id") != "db1" || get(key.data, "result") != true {
		t.Errorf("salt/key event %v", key.data)
	}
	wret := c.waitEvent(func(e event) bool { return strings.HasPrefix(e.tag, "salt/wheel/") && strings.HasSuffix(e.tag, "/ret") })
	if got := fmt.Sprint(render.Plain(wret.data)); !strings.Contains(got, "fun:wheel.key.accept") ||
		!strings.Contains(got, "return:map[minions:[db1]]") || !strings.Contains(got, "success:true") || !strings.Contains(got, "user:Reactor") {
		t.Errorf("wheel ret event %s", got)
	}
	if k, err := st.Read("db1", raet.Accepted); err != nil || k.Pub != priv.PubHex() {
		t.Errorf("db1 not accepted: %v", err)
	}
	lret := c.waitEvent(func(e event) bool {
		return strings.HasPrefix(e.tag, "salt/wheel/") && get(e.data, "fun") == "wheel.key.list_all" && get(e.data, "return") != nil
	})
	if got := fmt.Sprint(render.Plain(get(lret.data, "return"))); got != "map[local:[local.key] minions:[db1 web1] minions_denied:[] minions_pre:[] minions_rejected:[]]" {
		t.Errorf("key.list_all after key.accept: %s", got)
	}
	tm.waitStat("reaction", 4)
	if n := tm.m.Stats()["reactor_error"]; n != 0 {
		t.Errorf("%d reactor errors", n)
	}
}

// A reactor sls that does not render is logged, naming the file and the
// line, as is one that is missing or holds no reaction, and a reaction
// whose runner does not exist; the master keeps serving publishes.
func TestReactorBadSLSIsLoggedAndMasterServes(t *testing.T) {
	dir := t.TempDir()
	bad := writeSLS(t, dir, "bad.sls", "ping:\n  local.test.ping:\n    - tgt: [web1\n")
	odd := writeSLS(t, dir, "odd.sls", "# a reaction of no known type\nping:\n  nothing.test.ping:\n    - tgt: web1\n")
	missing := filepath.Join(dir, "missing.sls")
	norunner := writeSLS(t, dir, "norunner.sls", "r:\n  runner.no.such: []\n")
	tm := newMaster(t, fmt.Sprintf("reactor:\n  - 'myco/*':\n    - %s\n    - %s\n    - %s\n    - %s\n", bad, odd, missing, norunner)).start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.subscribe()

	if ret := web1.request(tm, protocol.MinionEventLoad("web1", "myco/x", body.Map{})); ret != true {
		t.Fatalf("_minion_event answered %v", ret)
	}
	tm.waitStat("reactor_error", 4)
	logs := tm.logs.String()
	for _, want := range []string{bad + ", line ", odd + `, line 2: ID ping: "nothing.test.ping" is not a reaction`, "Can not render SLS " + missing,
		"Reactor 'r' (" + norunner + ") failed to execute runner 'no.such': 'no.such' is not available."} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	if jid, _ := get(c.reply(), "return", "ret", "jid").(string); jid == "" {
		t.Fatal("the master stopped serving publishes")
	}
	web1.waitPub()
}

// A malformed reactor option stops New with an error naming the file.
func TestReactorOptionMalformed(t *testing.T) {
	root := shortTemp(t)
	cfg := loadConfig(t, root, "reactor:\n  - 'a': 3\n")
	if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), cfg.ConfFile) {
		t.Fatalf("New: %v", err)
	}
}

// Reactions run in Salt's order: an id declared again by a later file is
// that file's; order (first, numbers, last) before state, name and fun.
func TestReactionsOrderAsSalt(t *testing.T) {
	m := func(items ...any) body.Map {
		var out body.Map
		for i := 0; i < len(items); i += 2 {
			out = append(out, body.Item{Key: items[i].(string), Value: items[i+1]})
		}
		return out
	}
	a := m("z_ping", m("local.test.ping", []any{m("tgt", "*")}),
		"b_run", m("runner.jobs.active", []any{}),
		"c_first", m("wheel.key.list_all", []any{m("order", "first")}),
		"d_dup", m("local.test.echo", []any{m("tgt", "a")}),
		"e_last", m("local.test.true", []any{m("tgt", "*"), m("order", "last")}),
		"f_two", m("cmd.test.false", []any{m("tgt", "*"), m("order", int64(2))}))
	b := m("d_dup", m("local.test.echo", []any{m("tgt", "b")}))
	la, err := compileReactions("a.sls", nil, a)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := compileReactions("b.sls", nil, b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range orderReactions(append(la, lb...)) {
		got = append(got, fmt.Sprint(get(l, "__id__"), "@", get(l, "__sls__")))
	}
	want := []string{"c_first@a.sls", "f_two@a.sls", "d_dup@b.sls", "z_ping@a.sls", "b_run@a.sls", "e_last@a.sls"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// An event a local process fires on the bus (event_fire) is reacted to,
// with an sls from the master's file server (salt://), unless its user is
// Reactor: the reactor's own runner and wheel events would otherwise make
// a loop.
func TestReactorLaneEventsAndItsOwnUser(t *testing.T) {
	dir := t.TempDir()
	sls := writeSLS(t, dir, "lane.sls", "note:\n  runner.test.note:\n    - arg: [{{ data['n'] }}]\n")
	rc := &runnerCalls{}
	// One worker: the events are handled in the order fired.
	tm := newMaster(t, "file_roots:\n  base:\n    - "+dir+"\nreactor_worker_threads: 1\nreactor:\n  - 'lane/*': salt://lane.sls\n  - 'salt/run/*': "+sls+"\n", WithRunner(rc.run)).start()
	if tm.m.reactor.workers != 1 {
		t.Fatalf("reactor_worker_threads read as %d", tm.m.reactor.workers)
	}
	c := newClient(t, tm)
	c.subscribe()
	fire := func(tag string, data body.Map) {
		c.sendFrom(c.evt, body.Map{
			{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_fire"}}, {Key: "src", Value: []any{nil, c.eventYard, nil}}}},
			{Key: "tag", Value: tag}, {Key: "data", Value: data}})
	}
	fire("lane/x", body.Map{{Key: "n", Value: int64(1)}, {Key: "user", Value: ReactorUser}})
	fire("lane/x", body.Map{{Key: "n", Value: int64(2)}})
	tm.waitStat("reaction", 1)
	c.waitEvent(func(e event) bool { return strings.HasPrefix(e.tag, "salt/run/") && strings.HasSuffix(e.tag, "/ret") })
	fire("lane/sync", body.Map{{Key: "n", Value: int64(3)}}) // handled after every event before it
	tm.waitStat("reaction", 2)
	if calls := rc.list(); len(calls) != 2 || calls[0] != "test.note [2]" || calls[1] != "test.note [3]" {
		t.Errorf("runner calls %q: the Reactor user's event, or the reactor's own salt/run events, were reacted to", calls)
	}
}

// The reactor option is a list of {glob: file or files}, or the name of a
// YAML file holding one (Reactor.list_reactors); tags match by fnmatch.
func TestReactRules(t *testing.T) {
	dir := t.TempDir()
	mapFile := writeSLS(t, dir, "reactor.conf", "- 'salt/minion/*/start': /srv/reactor/start.sls\n- 'myco/*':\n  - /a.sls\n  - /b.sls\n")
	rules, err := reactRules(mapFile)
	if err != nil {
		t.Fatal(err)
	}
	r := &reactor{rules: rules}
	if got := fmt.Sprint(r.files("salt/minion/web1/start")); got != "[/srv/reactor/start.sls]" {
		t.Errorf("start files %s", got)
	}
	if got := fmt.Sprint(r.files("myco/x")); got != "[/a.sls /b.sls]" {
		t.Errorf("myco files %s", got)
	}
	if got := r.files("other"); len(got) != 0 {
		t.Errorf("other files %v", got)
	}
	for _, bad := range []any{"/no/such/reactor.conf", map[string]any{"a": "b"}, []any{"x"}, []any{map[string]any{"a": 1}}} {
		if _, err := reactRules(bad); err == nil {
			t.Errorf("reactRules(%v) took it", bad)
		}
	}
}

package modules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
)

// fakeMaster records the loads sent through Options.MasterRequest and
// answers each with answer(load).
type fakeMaster struct {
	mu     sync.Mutex
	loads  []body.Map
	answer func(body.Map) (any, error)
}

func (f *fakeMaster) request(_ context.Context, load body.Map) (any, error) {
	f.mu.Lock()
	f.loads = append(f.loads, load)
	f.mu.Unlock()
	if f.answer == nil {
		return true, nil
	}
	return f.answer(load)
}

func (f *fakeMaster) last(t *testing.T) body.Map {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.loads) == 0 {
		t.Fatal("nothing was sent to the master")
	}
	return f.loads[len(f.loads)-1]
}

// minionConfig loads a minion config of the given text from a temp dir.
func minionConfig(t *testing.T, text string) *config.Minion {
	t.Helper()
	dir := t.TempDir()
	text = "id: web1\ncachedir: " + filepath.Join(dir, "cache") + "\npki_dir: " + filepath.Join(dir, "pki") + "\n" + text
	if err := os.WriteFile(filepath.Join(dir, "minion"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// event.send builds the data as Salt's does (asked-for grains and pillar,
// keyword arguments with the __pub_* keys, then data over them) and sends
// Minion._fire_master's load; the answer is the master's.
func TestEventSend(t *testing.T) {
	fm := &fakeMaster{}
	e := New(Options{Config: minionConfig(t, ""), MasterRequest: fm.request,
		Grains: func() map[string]any { return map[string]any{"os": "Debian", "id": "web1", "num_cpus": 2} },
		Pillar: func() map[string]any { return map[string]any{"role": "web", "secret": "x"} }})
	pub := Pub{Fun: "event.send", Jid: "20261207063000123456", Tgt: "web1", TgtType: "glob", User: "root"}
	args := []any{"myco/build/done", body.Map{{Key: "with_grains", Value: []any{"os"}}, {Key: "with_pillar", Value: []any{"role"}},
		{Key: "foo", Value: "Foo"}, {Key: "data", Value: body.Map{{Key: "foo", Value: "over"}, {Key: "n", Value: 1}}},
		{Key: "__kwarg__", Value: true}}}
	pub.Arg = args
	res := e.Run(context.Background(), "event.send", args, pub)
	if res.Return != true || res.Retcode != 0 {
		t.Fatalf("event.send: %+v", res)
	}
	load := fm.last(t)
	if got := load.Keys(); !reflect.DeepEqual(got, []string{"id", "cmd", "pretag", "data", "tag"}) {
		t.Errorf("load keys %v", got)
	}
	if cmd, _ := load.String("cmd"); cmd != "_minion_event" {
		t.Errorf("cmd %q", cmd)
	}
	if tag, _ := load.String("tag"); tag != "myco/build/done" {
		t.Errorf("tag %q", tag)
	}
	data, _ := load.Map("data")
	wantKeys := []string{"grains", "pillar", "foo", "__pub_fun", "__pub_arg", "__pub_tgt", "__pub_jid",
		"__pub_ret", "__pub_tgt_type", "__pub_user", "n"}
	if !reflect.DeepEqual(data.Keys(), wantKeys) {
		t.Errorf("data keys %v, want %v", data.Keys(), wantKeys)
	}
	if g, _ := data.Map("grains"); !reflect.DeepEqual(g, body.Map{{Key: "os", Value: "Debian"}}) {
		t.Errorf("grains %v", g)
	}
	if p, _ := data.Map("pillar"); !reflect.DeepEqual(p, body.Map{{Key: "role", Value: "web"}}) {
		t.Errorf("pillar %v (only the key asked for may go)", p)
	}
	if v, _ := data.Get("foo"); v != "over" {
		t.Errorf("data's foo %v, want it over the keyword argument", v)
	}

	fm.answer = func(body.Map) (any, error) { return nil, errors.New("no master") }
	if res := e.Run(context.Background(), "event.fire_master", []any{body.Map{{Key: "a", Value: 1}}, "x/y"}, Pub{}); res.Return != false {
		t.Errorf("fire_master without a master: %+v", res)
	}
}

// event.fire_master is refused masterless (file_client: local), as Salt's;
// event.fire forwards the fire_master tag the minion handles and drops
// others; a non-mapping is False.
func TestEventMasterlessAndFire(t *testing.T) {
	fm := &fakeMaster{}
	local := New(Options{Config: minionConfig(t, "file_client: local\n"), MasterRequest: fm.request})
	if res := local.Run(context.Background(), "event.fire_master", []any{"d", "t"}, Pub{}); res.Return != false {
		t.Errorf("masterless fire_master: %+v", res)
	}
	if len(fm.loads) != 0 {
		t.Fatalf("masterless sent %v", fm.loads)
	}
	e := New(Options{Config: minionConfig(t, ""), MasterRequest: fm.request})
	fire := func(data any, tag string) any {
		return e.Run(context.Background(), "event.fire", []any{data, tag}, Pub{}).Return
	}
	if got := fire(body.Map{{Key: "data", Value: body.Map{{Key: "k", Value: "v"}}}, {Key: "tag", Value: "a/b"}}, "fire_master"); got != true {
		t.Fatalf("fire fire_master: %v", got)
	}
	if tag, _ := fm.last(t).String("tag"); tag != "a/b" {
		t.Errorf("forwarded tag %q", tag)
	}
	if got := fire(body.Map{{Key: "k", Value: 1}}, "local/only"); got != true || len(fm.loads) != 1 {
		t.Errorf("a local tag: %v, %d sent", got, len(fm.loads))
	}
	if got := fire("not a dict", "local/only"); got != false {
		t.Errorf("non-mapping data: %v", got)
	}
}

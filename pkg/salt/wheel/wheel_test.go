package wheel_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/wheel"
)

type fired struct {
	tag  string
	data body.Map
}

// newWheel is a wheel over a real key store in a temporary pki_dir with
// the pending keys ids.
func newWheel(t *testing.T, ids ...string) (*wheel.Wheel, *pki.Store, *[]fired) {
	t.Helper()
	store, err := pki.Open(t.TempDir(), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		k := strings.Repeat(hex.EncodeToString([]byte{byte(i + 1)}), 32)
		if _, err := store.Decide(id, k, k); err != nil {
			t.Fatal(err)
		}
	}
	var events []fired
	opts := &config.Master{}
	opts.ID, opts.Raw = "m_master", map[string]any{"worker_threads": 3}
	w := wheel.New(opts, store,
		func(tag string, d body.Map) { events = append(events, fired{tag, d}) }, nil)
	return w, store, &events
}

func call(t *testing.T, w *wheel.Wheel, fun string, arg []any, kwarg body.Map) body.Map {
	t.Helper()
	ret, err := w.Call(fun, arg, kwarg)
	if err != nil {
		t.Fatalf("%s: %v", fun, err)
	}
	m, ok := ret.(body.Map)
	if !ok {
		t.Fatalf("%s returned %T %v", fun, ret, ret)
	}
	return m
}

func TestKeyAcceptListDelete(t *testing.T) {
	w, store, events := newWheel(t, "web1", "web2", "db1")
	got := call(t, w, "key.accept", nil, body.Map{{Key: "match", Value: "web*"}, {Key: "client", Value: "wheel"}})
	if v, _ := got.Get("minions"); len(v.([]string)) != 2 || got.Has("minions_pre") {
		t.Fatalf("key.accept web* = %v, want minions [web1 web2] only", got)
	}
	if len(*events) != 2 || (*events)[0].tag != "salt/key" {
		t.Fatalf("events %v, want two salt/key", *events)
	}
	if act, _ := (*events)[0].data.Get("act"); act != "accept" {
		t.Fatalf("event data %v, want act accept", (*events)[0].data)
	}
	if st, _ := store.Match("web1", raet.Accepted); len(st[raet.Accepted]) != 1 {
		t.Fatalf("web1 not accepted on disk: %v", st)
	}
	all := call(t, w, "key.list_all", nil, nil)
	want := "[{minions [web1 web2]} {minions_pre [db1]} {minions_rejected []} {minions_denied []} {local []}]" // real salt-api's order
	if s := strings.TrimSpace(strings.ReplaceAll(fmtMap(all), "  ", " ")); s != want {
		t.Fatalf("key.list_all = %s, want %s", s, want)
	}
	if pre := call(t, w, "key.list", []any{"unaccepted"}, nil); fmtMap(pre) != "[{minions_pre [db1]}]" {
		t.Fatalf("key.list unaccepted = %v", pre)
	}
	call(t, w, "key.reject", []any{"db1"}, nil)
	if del := call(t, w, "key.delete", []any{[]any{"db1", "web2"}}, nil); len(del) != 0 {
		t.Fatalf("key.delete returns what matches afterwards, nothing: %v", del)
	}
	if all := call(t, w, "key.list_all", nil, nil); fmtMap(all) != "[{minions [web1]} {minions_pre []} {minions_rejected []} {minions_denied []} {local []}]" {
		t.Fatalf("after delete: %v", all)
	}
}

func fmtMap(m body.Map) string {
	var b strings.Builder
	b.WriteString("[")
	for i, it := range m {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("{" + it.Key + " ")
		switch v := it.Value.(type) {
		case []string:
			b.WriteString("[" + strings.Join(v, " ") + "]")
		default:
			b.WriteString("?")
		}
		b.WriteString("}")
	}
	return b.String() + "]"
}

func TestKeyFingerAndGenAccept(t *testing.T) {
	w, _, _ := newWheel(t, "web1")
	f := call(t, w, "key.finger", nil, body.Map{{Key: "match", Value: "web1"}})
	pre, ok := f.Map("minions_pre")
	if !ok {
		t.Fatalf("key.finger = %v, want minions_pre", f)
	}
	if fp, _ := pre.Get("web1"); len(fp.(string)) != 95 || fp.(string)[2] != ':' {
		t.Fatalf("fingerprint %q, want 32 colon-separated hex pairs", fp)
	}
	gen := call(t, w, "key.gen_accept", nil, body.Map{{Key: "id_", Value: "new1"}})
	if pub, _ := gen.Get("pub"); !strings.HasPrefix(pub.(string), "pub: ") {
		t.Fatalf("key.gen_accept = %v", gen)
	}
	if again := call(t, w, "key.gen_accept", []any{"new1"}, nil); len(again) != 0 {
		t.Fatalf("gen_accept of an accepted id without force = %v, want {}", again)
	}
	if forced := call(t, w, "key.gen_accept", []any{"new1"}, body.Map{{Key: "force", Value: true}}); len(forced) != 2 {
		t.Fatalf("forced gen_accept = %v", forced)
	}
	if all := call(t, w, "key.list", []any{"acc"}, nil); fmtMap(all) != "[{minions [new1]}]" {
		t.Fatalf("accepted after gen_accept: %v", all)
	}
}

func TestCallErrors(t *testing.T) {
	w, _, _ := newWheel(t)
	if _, err := w.Call("key.nope", nil, nil); err == nil || !strings.Contains(err.Error(), "'key.nope' is not available") {
		t.Fatalf("unknown function: %v", err)
	}
	if _, err := w.Call("key.accept", nil, nil); err == nil {
		t.Fatal("key.accept without match did not fail")
	}
	if _, err := w.Call("key.delete", []any{"a", "b"}, nil); err == nil {
		t.Fatal("too many positional arguments did not fail")
	}
	cv := call(t, w, "config.values", nil, nil)
	if v, _ := cv.Get("worker_threads"); v != 3 {
		t.Fatalf("config.values worker_threads = %v, want the file's 3", v)
	}
	if v, _ := cv.Get("id"); v != "m_master" {
		t.Fatalf("config.values id = %v", v)
	}
}

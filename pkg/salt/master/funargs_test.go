package master

import (
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The master keeps the arguments of a large publish only, says so in the
// pub, gives them back once per targeted minion (kwarg markers popped, as
// a minion's fun_args have them) and then forgets them; the oldest go
// first when the room is needed.
func TestKeptFunArgs(t *testing.T) {
	m := &Master{}
	small := body.Map{{Key: "fun", Value: "test.echo"}, {Key: "arg", Value: []any{"hi"}}}
	if got := m.keepFunArgs("1", small, 1); got.Has(protocol.PubFunArgsKept) {
		t.Errorf("a small publish was kept: %v", got)
	}
	big := strings.Repeat("x", keepArgsFrom)
	kw := body.Map{{Key: "a", Value: 1}, {Key: "__kwarg__", Value: true}}
	pub := body.Map{{Key: "fun", Value: "test.arg"}, {Key: "arg", Value: []any{big, kw}}}
	got := m.keepFunArgs("2", pub, 2)
	if v, _ := got.Get(protocol.PubFunArgsKept); v != true || pub.Has(protocol.PubFunArgsKept) {
		t.Fatalf("pub %v, the caller's changed: %v", got.Keys(), pub.Has(protocol.PubFunArgsKept))
	}
	if p := protocol.ParsePub(got); !p.FunArgsKept || p.Extra.Has(protocol.PubFunArgsKept) {
		t.Errorf("the minion reads %+v", p)
	}
	want := []any{big, body.Map{{Key: "a", Value: 1}}}
	for i := range 2 {
		args, ok := m.funArgs.take("2")
		if !ok || !reflect.DeepEqual(args, want) {
			t.Fatalf("return %d: %v %v", i, ok, args)
		}
	}
	if _, ok := m.funArgs.take("2"); ok {
		t.Error("kept after every minion returned")
	}
	huge := strings.Repeat("y", keptArgsMax/2+1)
	m.keepFunArgs("3", body.Map{{Key: "arg", Value: []any{huge}}}, 1)
	m.keepFunArgs("4", body.Map{{Key: "arg", Value: []any{huge}}}, 1)
	if _, ok := m.funArgs.take("3"); ok {
		t.Error("the oldest was not dropped for room")
	}
	if _, ok := m.funArgs.take("4"); !ok {
		t.Error("the newest was dropped")
	}
}

// A return without fun_args gets them back after fun, where Salt's
// minions put them.
func TestWithFunArgs(t *testing.T) {
	load := body.Map{{Key: "success", Value: true}, {Key: "return", Value: "x"}, {Key: "jid", Value: "1"},
		{Key: "fun", Value: "test.echo"}, {Key: "cmd", Value: "_return"}, {Key: "id", Value: "m1"}}
	got := withFunArgs(load, []any{"x"})
	keys := []string{"success", "return", "jid", "fun", "fun_args", "cmd", "id"}
	if !reflect.DeepEqual(got.Keys(), keys) || load.Has("fun_args") {
		t.Errorf("keys %v (the original changed: %v)", got.Keys(), load.Has("fun_args"))
	}
}

// A master started again since a large publish has no fun_args kept: it
// reads them from the job's load in the job cache.
func TestFunArgsFromTheJobCacheAfterARestart(t *testing.T) {
	cache, err := job.OpenCache(t.TempDir(), "sha256")
	if err != nil {
		t.Fatal(err)
	}
	jid, err := cache.PrepJID(&job.JIDGen{})
	if err != nil {
		t.Fatal(err)
	}
	kw := body.Map{{Key: "a", Value: int64(1)}, {Key: "__kwarg__", Value: true}}
	if err := cache.SavePreparedLoad(jid, body.Map{{Key: "fun", Value: "test.arg"}, {Key: "arg", Value: []any{"x", kw}}, {Key: "jid", Value: jid}}, []string{"m1"}); err != nil {
		t.Fatal(err)
	}
	m := &Master{cfg: &config.Master{}, cache: cache}
	m.cfg.JobCache = true
	ret := body.Map{{Key: "return", Value: true}, {Key: "jid", Value: jid}, {Key: "fun", Value: "test.arg"}, {Key: "id", Value: "m1"}}
	got, _ := m.restoreFunArgs(ret).Get("fun_args")
	if want := []any{"x", body.Map{{Key: "a", Value: int64(1)}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("fun_args %#v, want %#v", got, want)
	}
	m.cfg.JobCache = false
	if m.restoreFunArgs(ret).Has("fun_args") {
		t.Error("fun_args without a job cache")
	}
}

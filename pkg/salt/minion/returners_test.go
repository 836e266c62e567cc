package minion

import (
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The returners see the keys Salt 3006.3's minion hands them, in its
// order (checked against the lines its rawfile_json wrote).
func TestReturnerRet(t *testing.T) {
	pub := protocol.Pub{Fun: "test.arg", Arg: []any{int64(1), body.Map{{Key: "a", Value: "b"}, {Key: "__kwarg__", Value: true}}},
		Jid: "20261207121709220238", User: "root", Ret: "rawfile_json",
		Extra: body.Map{{Key: "ret_config", Value: "foo"}, {Key: "ret_kwargs", Value: body.Map{{Key: "x", Value: int64(1)}}}}}
	keys := func(m body.Map) string { return strings.Join(m.Keys(), " ") }
	ret := returnerRet(pub, modules.Result{Success: true, Return: true}, pub.Fun, "m1")
	if got, want := keys(ret), "success return retcode jid fun fun_args user ret_config ret_kwargs id"; got != want {
		t.Errorf("keys %s, want %s", got, want)
	}
	if args, _ := ret.Get("fun_args"); len(args.([]any)) != 2 || args.([]any)[1].(body.Map).Has("__kwarg__") {
		t.Errorf("fun_args %v keep the kwarg marker", args)
	}
	missing := protocol.Pub{Fun: "nope.fn", Jid: pub.Jid, User: "root"}
	ret = returnerRet(missing, modules.Result{Return: "'nope.fn' is not available.", Retcode: 1, Out: "nested"}, "nope.fn", "m1")
	if got, want := keys(ret), "success return retcode out jid fun fun_args user id"; got != want {
		t.Errorf("missing function: keys %s, want %s", got, want)
	}
	failed := protocol.Pub{Fun: "test.fib", Jid: pub.Jid}
	ret = returnerRet(failed, modules.Result{Return: "The minion function caused an exception: ValueError", Retcode: 1, Out: "nested"}, "test.fib", "m1")
	if got, want := keys(ret), "success return out retcode jid fun fun_args id"; got != want {
		t.Errorf("exception: keys %s, want %s", got, want)
	}
	for v, want := range map[any]string{"syslog": "syslog", nil: ""} {
		if got := configReturners(v); got != want {
			t.Errorf("configReturners(%v) = %q", v, got)
		}
	}
	if got := configReturners([]any{"syslog", "rawfile_json"}); got != "syslog,rawfile_json" {
		t.Errorf("configReturners(list) = %q", got)
	}
}

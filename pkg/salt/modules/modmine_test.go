package modules

import (
	"context"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

const mineConf = `mine_functions:
  test.ping: []
  echoer:
    - mine_function: test.echo
    - hello
  grains.get: {key: os, allow_tgt: 'web*'}
  no.such: []
`

func callJSON(t *testing.T, e *Executor, fun string, args ...any) string {
	t.Helper()
	res := e.Run(context.Background(), fun, args, Pub{})
	if res.Raised {
		t.Fatalf("%s %v: %v", fun, args, res.Return)
	}
	return py.Repr(res.Return)
}

// Masterless (file_client: local) the mine is kept in <cachedir>/datastore
// as Salt's data module keeps it; the answers are those Salt 3006.3's
// salt-call --local gave for the same calls and config.
func TestMineMasterless(t *testing.T) {
	e := New(Options{Config: minionConfig(t, "file_client: local\n"+mineConf),
		Grains: func() map[string]any { return map[string]any{"os": "Debian", "id": "web1"} }})
	for _, c := range []struct {
		fun  string
		args []any
		want string
	}{
		{"mine.valid", nil, "{'echoer': {'test.echo': ['hello']}, 'grains.get': {'key': 'os'}, 'test.ping': []}"},
		{"mine.update", nil, "True"},
		{"mine.get", []any{"*", "test.ping"}, "{'web1': True}"}, // Salt 3006.3 fails on a bool entry
		{"mine.get", []any{"*", []any{"grains.get"}}, "{'grains.get': {'web1': 'Debian'}}"},
		{"mine.get", []any{"*", "test.ping,echoer"}, "{'test.ping': {'web1': True}, 'echoer': {'web1': 'hello'}}"},
		{"mine.send", []any{"myecho", body.Map{{Key: "mine_function", Value: "test.echo"}, {Key: "text", Value: "x"}, {Key: "__kwarg__", Value: true}}}, "True"},
		{"mine.get", []any{"web1", "myecho", "list"}, "{'web1': 'x'}"},
		{"mine.get", []any{"db*", "myecho"}, "{}"},
		{"mine.delete", []any{"echoer"}, "True"},
		{"mine.get", []any{"*", "echoer"}, "{}"},
		{"mine.send", []any{"nope", "x"}, "False"},
		{"mine.flush", nil, "True"},
		{"mine.get", []any{"*", "myecho"}, "{}"},
	} {
		if got := callJSON(t, e, c.fun, c.args...); got != c.want {
			t.Errorf("%s %v = %s, want %s", c.fun, c.args, got, c.want)
		}
	}
}

// With a master, mine.update runs the configured functions and sends one
// _mine load (ACL entries wrapped as Salt wraps them); mine.get sends
// _mine_get and gives the master's answer, without this minion on
// exclude_minion; delete and flush send their loads.
func TestMineToMaster(t *testing.T) {
	fm := &fakeMaster{answer: func(load body.Map) (any, error) {
		if cmd, _ := load.String("cmd"); cmd == protocol.CmdMineGet {
			return body.Map{{Key: "db1", Value: "d"}, {Key: "web1", Value: "w"}}, nil
		}
		return true, nil
	}}
	e := New(Options{Config: minionConfig(t, mineConf), MasterRequest: fm.request,
		Grains: func() map[string]any { return map[string]any{"os": "Debian", "id": "web1"} }})
	if got := callJSON(t, e, "mine.update"); got != "True" {
		t.Fatalf("mine.update = %s", got)
	}
	load := fm.last(t)
	want := "{'cmd': '_mine', 'data': {'echoer': 'hello', 'grains.get': {'__data__': 'Debian', '__saltmine_acl__': 1, 'allow_tgt': 'web*'}, 'test.ping': True}, 'id': 'web1', 'clear': False}"
	if got := py.Repr(load); got != want {
		t.Errorf("_mine load\n%s\nwant\n%s", got, want)
	}
	if got := callJSON(t, e, "mine.get", "*", "x", "glob", true); got != "{'db1': 'd'}" {
		t.Errorf("mine.get exclude_minion = %s", got)
	}
	if got := py.Repr(fm.last(t)); got != "{'cmd': '_mine_get', 'id': 'web1', 'tgt': '*', 'fun': 'x', 'tgt_type': 'glob'}" {
		t.Errorf("_mine_get load %s", got)
	}
	callJSON(t, e, "mine.delete", "echoer")
	if got := py.Repr(fm.last(t)); got != "{'cmd': '_mine_delete', 'id': 'web1', 'fun': 'echoer'}" {
		t.Errorf("_mine_delete load %s", got)
	}
	callJSON(t, e, "mine.flush")
	if got := py.Repr(fm.last(t)); got != "{'cmd': '_mine_flush', 'id': 'web1'}" {
		t.Errorf("_mine_flush load %s", got)
	}
	if got := callJSON(t, e, "mine.update", body.Map{{Key: "mine_functions", Value: []any{"test.ping"}}, {Key: "clear", Value: true}, {Key: "__kwarg__", Value: true}}); got != "True" {
		t.Fatalf("mine.update mine_functions= %s", got)
	}
	if got := py.Repr(fm.last(t)); got != "{'cmd': '_mine', 'data': {'test.ping': True}, 'id': 'web1', 'clear': True}" {
		t.Errorf("_mine load of a list %s", got)
	}
}

// More of Salt 3006.3's salt-call --local answers: mine_function in a
// mapping and in a list with keyword mappings, an ACL entry read back as
// its data, clear=True with mine_functions given, list and compound
// targets.
func TestMineMasterlessDefinitions(t *testing.T) {
	e := New(Options{Config: minionConfig(t, "file_client: local\nmine_functions:\n"+
		"  dictform: {mine_function: test.echo, text: hi}\n  listkw:\n    - mine_function: test.arg\n    - a\n    - k: v\n"),
		Grains: func() map[string]any { return map[string]any{"id": "web1"} }})
	kw := func(items ...body.Item) body.Map {
		return append(body.Map(items), body.Item{Key: "__kwarg__", Value: true})
	}
	for _, c := range []struct {
		fun  string
		args []any
		want string
	}{
		{"mine.valid", nil, "{'dictform': {'test.echo': [{'text': 'hi'}]}, 'listkw': {'test.arg': ['a', {'k': 'v'}]}}"},
		{"mine.update", nil, "True"},
		{"mine.get", []any{"*", "dictform,listkw"}, "{'dictform': {'web1': 'hi'}, 'listkw': {'web1': {'args': ['a'], 'kwargs': {'k': 'v'}}}}"},
		{"mine.send", []any{"acl", kw(body.Item{Key: "mine_function", Value: "test.echo"}, body.Item{Key: "text", Value: "z"},
			body.Item{Key: "allow_tgt", Value: "web*"})}, "True"},
		{"mine.get", []any{"*", "acl"}, "{'web1': 'z'}"},
		{"mine.update", []any{kw(body.Item{Key: "clear", Value: true}, body.Item{Key: "mine_functions",
			Value: body.Map{{Key: "dictform", Value: body.Map{{Key: "mine_function", Value: "test.echo"}, {Key: "text", Value: "again"}}}}})}, "True"},
		{"mine.get", []any{"*", "dictform,acl"}, "{'dictform': {'web1': 'again'}}"},
		{"mine.get", []any{"web1", "dictform", "list"}, "{'web1': 'again'}"},
		{"mine.get", []any{"G@id:web1", "dictform", "compound"}, "{'web1': 'again'}"},
	} {
		if got := callJSON(t, e, c.fun, c.args...); got != c.want {
			t.Errorf("%s %v = %s, want %s", c.fun, c.args, got, c.want)
		}
	}
}

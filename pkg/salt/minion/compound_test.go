package minion

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A compound command runs each function with its own arguments and
// returns, as Salt 3006's _thread_multi_return, a mapping by function of
// the returns, retcodes and successes, with the published lists as fun
// and fun_args.
func TestCompoundCommand(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	e.start("127.0.0.1:0")
	jid := newJID()
	load := pubLoad(jid, "*", "glob", "x")
	load.Set("fun", []any{"test.ping", "test.echo", "test.retcode"})
	load.Set("arg", []any{[]any{}, []any{"hello"}, []any{int64(3)}})
	fm.publish("m1_minion", load)
	ret := loadOf(t, fm.waitReturn(jid))
	if got := jsonString(t, ret); got != `{"success":{"test.ping":true,"test.echo":true,"test.retcode":false},`+
		`"return":{"test.ping":true,"test.echo":"hello","test.retcode":true},`+
		`"retcode":{"test.ping":0,"test.echo":0,"test.retcode":3},`+
		`"jid":"`+jid+`","fun":["test.ping","test.echo","test.retcode"],"fun_args":[[],["hello"],[3]],"cmd":"_return","id":"m1"}` {
		t.Errorf("compound return load %s", got)
	}
}

func jsonString(t *testing.T, m body.Map) string {
	t.Helper()
	b, err := body.AppendJSON(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package states

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// Through the runtime, as a minion runs them: a file that changes fires
// the cmd.wait watching it (its mod_watch gets the watching function as
// sfun), and a second run, with nothing to change, runs nothing.
func TestWatchFiresCmdWaitThroughRuntime(t *testing.T) {
	reg := state.Registry{}
	Register(reg)
	env := testEnv()
	path := filepath.Join(t.TempDir(), "motd")
	chunks := []state.Low{
		{State: "file", Fun: "managed", ID: "motd", Name: path, SLS: "s", Env: "base", Order: 10000,
			Args: body.Map{{Key: "contents", Value: "hello"}}},
		{State: "cmd", Fun: "wait", ID: "announce", Name: "echo changed", SLS: "s", Env: "base", Order: 10001,
			Reqs: []state.Requisite{{Kind: "watch", State: "file", Ref: "motd"}}},
	}
	tag := chunks[1].Tag()
	first := state.Run(context.Background(), chunks, state.RunOptions{Registry: reg, Env: env})
	ret := stateRet(t, first, tag)
	if r, _ := ret.Get("result"); r != true {
		t.Fatalf("first run: %v", ret)
	}
	changes, _ := ret.Map("changes")
	if out, _ := changes.String("stdout"); out != "changed" {
		t.Errorf("first run: cmd.wait did not run: %v", ret)
	}
	second := state.Run(context.Background(), chunks, state.RunOptions{Registry: reg, Env: env})
	ret = stateRet(t, second, tag)
	if changes, _ := ret.Map("changes"); len(changes) != 0 {
		t.Errorf("second run: cmd.wait ran again: %v", ret)
	}
}

func stateRet(t *testing.T, res body.Map, tag string) body.Map {
	t.Helper()
	v, ok := res.Get(tag)
	if !ok {
		t.Fatalf("no %s in %v", tag, res)
	}
	switch m := v.(type) {
	case body.Map:
		return m
	case *body.Map:
		return *m
	}
	t.Fatalf("%s is a %T", tag, v)
	return nil
}

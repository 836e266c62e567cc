package states

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestModuleRunNewSyntax(t *testing.T) {
	env := testEnv()
	args := body.Map{{Key: "test.echo", Value: []any{"hello"}}, {Key: "cmd.run_all", Value: []any{body.Map{{Key: "cmd", Value: "false"}}}}}
	r := run(t, env, "module.run", "m", args, false)
	wantRet(t, r, "False", "'cmd.run_all' failed: (error message N/A), test.echo: hello", "-")
	if len(r.NameList) != 2 || r.NameList[0] != "test.echo" {
		t.Errorf("name = %v, want the functions", r.NameList)
	}
	if v, _ := r.Changes.Get("test.echo"); v != "hello" {
		t.Errorf("changes = %v", r.Changes)
	}
	r = run(t, env, "module.run", "m", body.Map{{Key: "test.true", Value: nil}}, true)
	wantRet(t, r, "None", "Function test.true to be executed.", "{}")
	r = run(t, env, "module.run", "m", body.Map{{Key: "nosuch.fun", Value: nil}}, false)
	wantRet(t, r, "False", "Unavailable function: nosuch.fun.", "{}")
}

func TestModuleRunLegacy(t *testing.T) {
	env := testEnv()
	r := run(t, env, "module.run", "test.arg", body.Map{{Key: "args", Value: []any{"a"}}, {Key: "kwargs", Value: body.Map{{Key: "k", Value: "v"}}}}, false)
	wantRet(t, r, "True", "Module function test.arg executed", "-")
	ret, _ := r.Changes.Map("ret")
	if args, _ := ret.Get("args"); len(args.([]any)) != 1 {
		t.Errorf("ret = %v", ret)
	}
	r = run(t, env, "module.run", "test.ping", nil, true)
	wantRet(t, r, "None", "Module function test.ping is set to execute", "{}")
	r = run(t, env, "module.run", "nosuch.fun", nil, false)
	wantRet(t, r, "False", "Module function nosuch.fun is not available", "{}")
}

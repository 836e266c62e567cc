package states

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestCmdRun(t *testing.T) {
	env := testEnv()
	r := run(t, env, "cmd.run", "echo hi; echo err >&2", nil, false)
	wantRet(t, r, "True", `Command "echo hi; echo err >&2" run`, "-")
	if so, _ := r.Changes.String("stdout"); so != "hi" {
		t.Errorf("stdout = %q", so)
	}
	if se, _ := r.Changes.String("stderr"); se != "err" {
		t.Errorf("stderr = %q", se)
	}
	if keys := r.Changes.Keys(); len(keys) != 4 || keys[0] != "pid" || keys[1] != "retcode" {
		t.Errorf("changes keys = %v, want pid retcode stdout stderr", keys)
	}

	r = run(t, env, "cmd.run", "exit 3", nil, false)
	wantRet(t, r, "False", `Command "exit 3" run`, "-")
	if rc, _ := r.Changes.Int("retcode"); rc != 3 {
		t.Errorf("retcode = %d", rc)
	}

	r = run(t, env, "cmd.run", "touch /nonexistent/x", nil, true)
	wantRet(t, r, "None", `Command "touch /nonexistent/x" would have been executed`, `{"cmd":"touch /nonexistent/x"}`)

	r = run(t, env, "cmd.run", "pwd", body.Map{{Key: "cwd", Value: "/no/such/dir"}}, false)
	wantRet(t, r, "False", `Desired working directory "/no/such/dir" is not available`, "{}")

	dir := t.TempDir()
	r = run(t, env, "cmd.run", "pwd", body.Map{{Key: "cwd", Value: dir}}, false)
	if so, _ := r.Changes.String("stdout"); so != dir {
		t.Errorf("cwd: stdout = %q, want %q", so, dir)
	}
	r = run(t, env, "cmd.run", "echo $FOO", body.Map{{Key: "env", Value: body.Map{{Key: "FOO", Value: "bar"}}}}, false)
	if so, _ := r.Changes.String("stdout"); so != "bar" {
		t.Errorf("env: stdout = %q", so)
	}
	r = run(t, env, "cmd.run", "true", body.Map{{Key: "env", Value: "FOO=bar"}}, false)
	wantRet(t, r, "False", "Invalidly-formatted 'env' parameter. See documentation.", "{}")
}

func TestCmdStateful(t *testing.T) {
	env := testEnv()
	r := run(t, env, "cmd.run", `echo working; echo "changed=yes comment='all done'"`, body.Map{{Key: "stateful", Value: true}}, false)
	wantRet(t, r, "True", "all done", "-")
	if so, _ := r.Changes.String("stdout"); so != "working" {
		t.Errorf("stdout = %q, want the output before the last line", so)
	}
	if ch, _ := r.Changes.String("changed"); ch != "yes" {
		t.Errorf("changed = %q", ch)
	}
	r = run(t, env, "cmd.run", `echo '{"changed": false, "comment": "nothing"}'`, body.Map{{Key: "stateful", Value: true}}, false)
	wantRet(t, r, "True", "nothing", "{}")
	r = run(t, env, "cmd.run", `echo a=b=c`, body.Map{{Key: "stateful", Value: true}}, false)
	wantRet(t, r, "False", "Failed parsing script output! Stdout must be JSON or a line of name=value pairs.", "-")
}

func TestCmdWaitAndModWatch(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	flag := filepath.Join(dir, "fired")
	wantRet(t, run(t, env, "cmd.wait", "touch "+flag, nil, false), "True", "", "{}")
	if _, err := os.Stat(flag); err == nil {
		t.Fatal("cmd.wait ran its command")
	}
	// The runtime calls mod_watch with the watching chunk: its Fun is
	// the state's function (sfun).
	r := callLow(t, env, "cmd.mod_watch", lowFor("cmd", "wait", "touch "+flag), false)
	wantRet(t, r, "True", `Command "touch `+flag+`" run`, "-")
	if _, err := os.Stat(flag); err != nil {
		t.Fatal("cmd.mod_watch of a cmd.wait did not run its command")
	}
	r = callLow(t, env, "cmd.mod_watch", lowFor("cmd", "call", "x"), false)
	wantRet(t, r, "False", "cmd.call does not work with the watch requisite, please use cmd.wait or cmd.wait_script", "{}")
}

func TestCmdScript(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"args: $@\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, env, "cmd.script", "s.sh one two", body.Map{{Key: "source", Value: script}}, false)
	wantRet(t, r, "True", "Command 's.sh one two' run", "-")
	if so, _ := r.Changes.String("stdout"); so != "args: one two" {
		t.Errorf("stdout = %q", so)
	}
	// Salt takes the whole name as the source when none is given.
	r = run(t, env, "cmd.script", script+" one", nil, false)
	wantRet(t, r, "False", "Unable to cache script "+script+" one from saltenv 'base'", "-")
	r = run(t, env, "cmd.script", "x", body.Map{{Key: "source", Value: script}}, true)
	wantRet(t, r, "None", "Command 'x' would have been executed", "{}")
}

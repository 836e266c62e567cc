package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestCmdWhich(t *testing.T) {
	e := New(Options{})
	sh := run(e, "cmd.which", "sh").Return
	if p, _ := sh.(string); !strings.HasSuffix(p, "/sh") || !isExecutable(p) {
		t.Fatalf("cmd.which sh = %#v", sh)
	}
	wantOK(t, run(e, "cmd.which", "/bin/sh"), "/bin/sh")
	wantOK(t, run(e, "cmd.which", "saltraet-no-such-command"), nil)
	wantOK(t, run(e, "cmd.has_exec", "sh"), true)
	wantOK(t, run(e, "cmd.has_exec", "saltraet-no-such-command"), false)
	wantOK(t, run(e, "cmd.which_bin", []any{"saltraet-no-such-command", "sh"}), sh)
	wantOK(t, run(e, "cmd.which_bin", []any{"saltraet-no-such-command"}), nil)
	// A file that is not executable is not found, even by its path.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "plain"), []byte("x"), 0o644)
	wantOK(t, run(e, "cmd.which", filepath.Join(dir, "plain")), nil)
	t.Setenv("PATH", dir)
	os.WriteFile(filepath.Join(dir, "tool"), []byte("#!/bin/sh\n"), 0o755)
	os.Symlink("tool", filepath.Join(dir, "link"))
	wantOK(t, run(e, "cmd.which", "tool"), filepath.Join(dir, "tool"))
	wantOK(t, run(e, "cmd.which", "link"), filepath.Join(dir, "link"))
	// PATH is extended with the system directories it lacks.
	wantOK(t, run(e, "cmd.has_exec", "sh"), true)
}

func TestCmdExecCode(t *testing.T) {
	e := New(Options{})
	wantOK(t, run(e, "cmd.exec_code", "sh", `echo "hi $1 $2"`, kw("args", []any{"a b", "c"})), "hi a b c")
	r := run(e, "cmd.exec_code_all", "sh", "echo out; echo err >&2; exit 3", kw("cwd", "/"))
	m, ok := r.Return.(body.Map)
	if !ok || r.Retcode != 3 {
		t.Fatalf("exec_code_all = %#v (retcode %d), want the command's retcode 3", r.Return, r.Retcode)
	}
	if !sameStrings(m.Keys(), "pid", "retcode", "stdout", "stderr") {
		t.Fatalf("exec_code_all keys %v", m.Keys())
	}
	if out, _ := m.String("stdout"); out != "out" {
		t.Fatalf("stdout %q", out)
	}
	if er, _ := m.String("stderr"); er != "err" {
		t.Fatalf("stderr %q", er)
	}
	// A string args is one argument; env reaches the command.
	wantOK(t, run(e, "cmd.exec_code", "sh", `echo "[$1] $FOO"`, kw("args", "x y", "env", body.Map{{Key: "FOO", Value: "bar"}})), "[x y] bar")
	wantError(t, run(e, "cmd.exec_code", "sh", "true", kw("python_shell", true)),
		"Passed invalid arguments to cmd.exec_code: run_all() got multiple values for keyword argument 'python_shell'")
	// The code file is gone afterwards.
	path := run(e, "cmd.exec_code", "sh", `echo "$0"`).Return.(string)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the code file %s is left: %v", path, err)
	}
}

func sameStrings(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

func TestCmdScript(t *testing.T) {
	render := func(file string, text []byte, saltenv string) (string, error) {
		return strings.ReplaceAll(string(text), "{{ greeting }}", "rendered"), nil
	}
	e, fm, _ := cpEnv(t, Options{Template: render})
	fm.Write("base", "scripts/run.sh", []byte("#!/bin/sh\necho \"{{ greeting }} $# $1|$2\"\npwd\nls -l \"$0\" | cut -c1-10\nexit 4\n"))
	cwd := t.TempDir()
	r := run(e, "cmd.script", "salt://scripts/run.sh", `'a b' c`, kw("cwd", cwd))
	m, ok := r.Return.(body.Map)
	if !ok || r.Retcode != 4 || !sameStrings(m.Keys(), "pid", "retcode", "stdout", "stderr") {
		t.Fatalf("cmd.script = %#v (retcode %d)", r.Return, r.Retcode)
	}
	if out, _ := m.String("stdout"); out != "{{ greeting }} 2 a b|c\n"+cwd+"\n-r-x------" {
		t.Fatalf("cmd.script stdout %q", out)
	}
	if ents, _ := os.ReadDir(cwd); len(ents) != 0 {
		t.Fatalf("the script was left in cwd: %v", ents)
	}
	// script_retcode renders with jinja by default.
	r = run(e, "cmd.script_retcode", "salt://scripts/run.sh")
	wantRetcode(t, r, 4, 4)
	r = run(e, "cmd.script", "salt://scripts/run.sh", kw("template", "jinja", "hide_output", true))
	if out, _ := r.Return.(body.Map).String("stdout"); out != "" {
		t.Fatalf("hide_output stdout %q", out)
	}
	r = run(e, "cmd.script", "salt://scripts/run.sh", kw("template", "jinja"))
	if out, _ := r.Return.(body.Map).String("stdout"); !strings.HasPrefix(out, "rendered 0 |") {
		t.Fatalf("templated stdout %q", out)
	}
	wantOK(t, run(e, "cmd.script", "salt://scripts/nope.sh"), body.Map{{Key: "pid", Value: 0}, {Key: "retcode", Value: 1},
		{Key: "stdout", Value: ""}, {Key: "stderr", Value: ""}, {Key: "cache_error", Value: true}})
	// Without a file client a local script still runs.
	local := filepath.Join(t.TempDir(), "l.sh")
	os.WriteFile(local, []byte("echo local\n"), 0o644)
	r = run(New(Options{}), "cmd.script", local)
	if out, _ := r.Return.(body.Map).String("stdout"); out != "local" {
		t.Fatalf("local script = %#v", r.Return)
	}
}

func wantRetcode(t *testing.T, r Result, ret any, code int) {
	t.Helper()
	if r.Return != ret || r.Retcode != code {
		t.Fatalf("return/retcode = %#v/%d, want %#v/%d", r.Return, r.Retcode, ret, code)
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// host is a minion's host for one test: a config dir, file_roots and
// pillar_roots with a small tree, and a root_dir for the rest.
type host struct {
	t    *testing.T
	root string
	conf string
	srv  string
}

// newHost writes a masterless minion config (no Python fallback, so
// that nothing but this code answers) with extra lines after it, and the
// tree: top.sls applying demo, demo.sls managing a file from salt://,
// fail.sls failing, a pillar of role and port.
func newHost(t *testing.T, extra string) *host {
	t.Helper()
	root, err := os.MkdirTemp("", "call")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	h := &host{t: t, root: root, conf: filepath.Join(root, "etc"), srv: filepath.Join(root, "srv")}
	h.write("etc/minion", "root_dir: "+root+"\nid: web1\npython_fallback: false\n"+
		"file_roots: {base: ["+h.srv+"/salt]}\npillar_roots: {base: ["+h.srv+"/pillar]}\n"+extra)
	h.write("srv/salt/top.sls", "base:\n  '*':\n    - demo\n")
	h.write("srv/salt/demo.sls", "hello:\n  test.succeed_without_changes:\n    - name: hi\n"+
		root+"/out/motd:\n  file.managed:\n    - source: salt://motd.txt\n    - makedirs: True\n")
	h.write("srv/salt/fail.sls", "broken:\n  test.fail_without_changes:\n    - name: nope\n")
	h.write("srv/salt/motd.txt", "hello from salt\n")
	h.write("srv/pillar/top.sls", "base:\n  '*':\n    - data\n")
	h.write("srv/pillar/data.sls", "role: web\nport: 8080\n")
	return h
}

func (h *host) write(name, text string) {
	h.t.Helper()
	p := filepath.Join(h.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// result is what a run printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// call runs salt-call-raet -c <conf> args in this process.
func (h *host) call(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"-c", h.conf}, args...), strings.NewReader(""), &out, &errb)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// want fails unless the run exited code and printed stdout exactly.
func (r result) want(t *testing.T, what string, code int, stdout string) {
	t.Helper()
	if r.code != code || r.stdout != stdout {
		t.Errorf("%s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s", what, r.code, r.stdout, r.stderr, code, stdout)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The outputs of salt-call --local of Salt 3006.3 on the same tree, by
// hand (the state run's times aside).
func TestLocalOutputsAsSalt(t *testing.T) {
	h := newHost(t, "")
	h.call("--local", "test.ping").want(t, "test.ping", 0, "local:\n    True\n")
	h.call("--local", "grains.get", "id").want(t, "grains.get id", 0, "local:\n    web1\n")
	h.call("--local", "pillar.items").want(t, "pillar.items", 0,
		"local:\n    ----------\n    port:\n        8080\n    role:\n        web\n")
	h.call("--local", "--out", "json", "test.ping").want(t, "--out json", 0, "{\n    \"local\": true\n}\n")
	h.call("--local", "--out", "json", "--out-indent", "-1", "grains.item", "id").want(t, "--out-indent -1", 0,
		"{\"local\": {\"id\": \"web1\"}}\n")
	h.call("--local", "--out", "yaml", "grains.item", "id").want(t, "--out yaml", 0, "local:\n  id: web1\n")
	h.call("--local", "--out", "txt", "grains.item", "id").want(t, "--out txt", 0, "local: {'id': 'web1'}\n")
	h.call("--local", "--id", "other", "grains.get", "id").want(t, "--id", 0, "local:\n    other\n")
	h.call("--local", "--out", "highstate", "test.ping").want(t, "--out highstate of no state", 0, "local:\n    True\n")
}

// salt-call's exit statuses: 1 for a non-zero retcode, the retcode itself
// with --retcode-passthrough (2 for a failed state), 255 and Salt's line
// for an unknown function.
func TestLocalExitCodes(t *testing.T) {
	h := newHost(t, "")
	h.call("--local", "test.retcode", "3").want(t, "test.retcode 3", 1, "local:\n    True\n")
	h.call("--local", "--retcode-passthrough", "test.retcode", "3").want(t, "passthrough", 3, "local:\n    True\n")
	h.call("--local", "test.false").want(t, "test.false", 0, "local:\n    False\n")

	r := h.call("--local", "state.apply", "fail")
	if r.code != 1 || !strings.HasPrefix(r.stdout, "local:\n----------\n          ID: broken\n") ||
		!strings.Contains(r.stdout, "Summary for local\n------------\nSucceeded: 0\nFailed:    1\n") {
		t.Errorf("state.apply fail: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := h.call("--local", "--retcode-passthrough", "state.apply", "fail"); r.code != 2 {
		t.Errorf("state.apply fail --retcode-passthrough: exit %d, want 2 (the state module's retcode)", r.code)
	}

	r = h.call("--local", "foo.bar")
	if r.code != 255 || r.stdout != "" || r.stderr != "'foo.bar' is not available.\n" {
		t.Errorf("foo.bar: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// A module's name alone: its functions' docs and the line, exit 1.
	r = h.call("--local", "test")
	if r.code != 1 || !strings.HasPrefix(r.stdout, "local:\n    ----------\n    test:\n        'test' is not available.\n    test.arg:\n") {
		t.Errorf("test: exit %d\n%s", r.code, r.stdout)
	}
	r = h.call("--local", "test.echo")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "\nPassed invalid arguments: echo() missing 1 required positional argument: 'text'.\n\nUsage:\n") ||
		!strings.Contains(r.stdout, "Return a string - used for testing the connection") {
		t.Errorf("test.echo: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}

// state.apply runs the top file from file_roots; the file it manages
// comes from salt:// on this host.
func TestLocalStateApplyAndFiles(t *testing.T) {
	h := newHost(t, "")
	r := h.call("--local", "state.apply")
	if r.code != 0 || !strings.Contains(r.stdout, "Succeeded: 2 (changed=1)\nFailed:    0\n") {
		t.Fatalf("state.apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(h.root, "out", "motd")); err != nil || string(b) != "hello from salt\n" {
		t.Errorf("the managed file: %q %v", b, err)
	}
	dest := filepath.Join(h.root, "got.txt")
	h.call("--local", "cp.get_file", "salt://motd.txt", dest).want(t, "cp.get_file", 0, "local:\n    "+dest+"\n")
	if b, err := os.ReadFile(dest); err != nil || string(b) != "hello from salt\n" {
		t.Errorf("cp.get_file: %q %v", b, err)
	}
}

// --file-root and --pillar-root replace the base environments; file_client:
// local in the config is masterless without --local.
func TestLocalRootFlags(t *testing.T) {
	h := newHost(t, "file_client: local\n")
	h.write("other/pillar/top.sls", "base:\n  '*':\n    - x\n")
	h.write("other/pillar/x.sls", "from_flag: 1\n")
	h.write("other/salt/only.txt", "only here\n")
	h.call("--pillar-root", filepath.Join(h.root, "other", "pillar"), "pillar.items").want(t, "--pillar-root", 0,
		"local:\n    ----------\n    from_flag:\n        1\n")
	h.call("--file-root", filepath.Join(h.root, "other", "salt"), "cp.list_master").want(t, "--file-root", 0,
		"local:\n    - only.txt\n")
}

// --metadata prints the whole job nested; --out-file writes the output
// there instead of stdout.
func TestMetadataAndOutFile(t *testing.T) {
	h := newHost(t, "")
	r := h.call("--local", "--metadata", "test.echo", "hi")
	for _, want := range []string{"local:\n    ----------\n    fun:\n        test.echo\n    fun_args:\n        - hi\n    id:\n        web1\n    jid:\n        2",
		"\n    retcode:\n        0\n    return:\n        hi\n"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("--metadata: exit %d, want %q in\n%s", r.code, want, r.stdout)
		}
	}
	r = h.call("--local", "--metadata", "--set-metadata", "{a: 1}", "--out", "json", "test.true")
	if r.code != 0 || !strings.Contains(r.stdout, "\"fun_args\": [],\n        \"metadata\": {\n            \"a\": 1\n        }\n    }\n}") {
		t.Errorf("--set-metadata: exit %d\n%s", r.code, r.stdout)
	}
	file := filepath.Join(h.root, "out.txt")
	h.call("--local", "--out-file", file, "test.ping").want(t, "--out-file", 0, "")
	h.call("--local", "--out-file", file, "--out-file-append", "test.true").want(t, "--out-file-append", 0, "")
	if b, _ := os.ReadFile(file); string(b) != "local:\n    True\nlocal:\n    True\n" {
		t.Errorf("--out-file: %q", b)
	}
}

// A function taking **kwargs gets salt-call's publish data: __pub_fun,
// __pub_pid, __pub_jid, __pub_tgt, in that order.
func TestCallerPubKwargs(t *testing.T) {
	h := newHost(t, "")
	r := h.call("--local", "--out", "json", "test.arg", "1", "a=b")
	var got struct {
		Local struct {
			Args   []any          `json:"args"`
			Kwargs map[string]any `json:"kwargs"`
		} `json:"local"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%q %q: %v", r.stdout, r.stderr, err)
	}
	if !reflect.DeepEqual(got.Local.Args, []any{float64(1)}) || got.Local.Kwargs["a"] != "b" ||
		got.Local.Kwargs["__pub_tgt"] != "salt-call" || got.Local.Kwargs["__pub_fun"] != "test.arg" ||
		got.Local.Kwargs["__pub_pid"] != float64(os.Getpid()) || len(got.Local.Kwargs) != 5 {
		t.Errorf("test.arg: %s", r.stdout)
	}
	order := []string{`"__pub_fun"`, `"__pub_pid"`, `"__pub_jid"`, `"__pub_tgt"`}
	for i := 1; i < len(order); i++ {
		if strings.Index(r.stdout, order[i-1]) > strings.Index(r.stdout, order[i]) {
			t.Errorf("%s before %s in\n%s", order[i], order[i-1], r.stdout)
		}
	}
}

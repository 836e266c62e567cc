package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

const fixedJID = "20261122034544968332"

// The publish load carries the arguments typed and the keyword arguments in
// one trailing __kwarg__ mapping, the -L target as a list, the key from
// <cachedir>/.<user>_key and the CLI's kwargs.
func TestPublishLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a", "b", "c")...)
	r := e.salt("-L", "a,b", "test.arg", "1", "two", "k=v", "[x, 2]")
	if r.code != 0 {
		t.Fatalf("exit %d: %q %q", r.code, r.stdout, r.stderr)
	}
	loads := m.Loads()
	if len(loads) != 1 {
		t.Fatalf("%d publishes", len(loads))
	}
	l := loads[0]
	for k, want := range map[string]string{
		"cmd":      `"publish"`,
		"tgt":      `["a","b"]`,
		"tgt_type": `"list"`,
		"fun":      `"test.arg"`,
		"arg":      `[1,"two",["x",2],{"__kwarg__":true,"k":"v"}]`,
		"key":      `"` + testKey + `"`,
		"ret":      `""`,
		"jid":      `""`,
		"kwargs":   `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`,
	} {
		if got := jsonOf(mustGet(l, k)); got != want {
			t.Errorf("load %s = %s, want %s", k, got, want)
		}
	}
	if u, ok := l.String("user"); !ok || u == "" {
		t.Errorf("load user %v", mustGet(l, "user"))
	}
	if keys := strings.Join(l.Keys(), ","); keys != "cmd,tgt,fun,arg,key,tgt_type,ret,jid,kwargs,user" {
		t.Errorf("load keys in order %s", keys)
	}
	// Only a and b were targeted and printed.
	if r.stdout != "a:\n    True\nb:\n    True\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestTargetTypesAndFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a")...)
	for _, c := range []struct {
		args            []string
		tgtType, kwargs string
	}{
		{[]string{"-E", "a.*", "test.ping"}, `"pcre"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`},
		{[]string{"-G", "os:Debian", "test.ping", "--hide-timeout", "--show-jid"}, `"grain"`, `{"show_timeout":false,"show_jid":true,"delimiter":":","listen":true}`},
		{[]string{"-C", "G@os:Debian and a*", "test.ping", "--delimiter", "|"}, `"compound"`, `{"show_timeout":true,"show_jid":false,"delimiter":"|","listen":true}`},
		{[]string{"--async", "a", "test.ping"}, `"glob"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":false}`},
	} {
		before := len(m.Loads())
		r := e.salt(c.args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d %q", c.args, r.code, r.stderr)
			continue
		}
		l := m.Loads()[before]
		if got := jsonOf(mustGet(l, "tgt_type")); got != c.tgtType {
			t.Errorf("%v: tgt_type %s, want %s", c.args, got, c.tgtType)
		}
		if got := jsonOf(mustGet(l, "kwargs")); got != c.kwargs {
			t.Errorf("%v: kwargs %s, want %s", c.args, got, c.kwargs)
		}
	}
}

func TestCompoundCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, clienttest.Minion{ID: "a", Return: map[string]any{"test.echo": "hi", "test.ping": true}})
	r := e.salt("a", "test.ping,test.echo", ",", "hi")
	if r.code != 0 {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	l := m.Loads()[0]
	if jsonOf(mustGet(l, "fun")) != `["test.ping","test.echo"]` || jsonOf(mustGet(l, "arg")) != `[[],["hi"]]` {
		t.Errorf("compound load fun %s arg %s", jsonOf(mustGet(l, "fun")), jsonOf(mustGet(l, "arg")))
	}
	if r.stdout != "a:\n    ----------\n    test.echo:\n        hi\n    test.ping:\n        True\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

// A minion that got the job but never returns, and tells find_job it does
// not run it: [No response], after the timeout, exit 1.
func TestNoResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := pingers("a", "b", "c")
	ms[1].Withhold = true
	m := e.start(nil, ms...)
	start := time.Now()
	r := e.salt("*", "test.ping", "-t", "1")
	if took := time.Since(start); took < time.Second {
		t.Errorf("done after %v, before the 1 s timeout", took)
	}
	hint := "The minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:"
	if !regexp.MustCompile(`^a:\n    True\nc:\n    True\nb:\n    Minion did not return\. \[No response\]\n    ` + regexp.QuoteMeta(hint) + `\n    \n    salt-run-raet jobs\.lookup_jid \d{20}\n$`).MatchString(r.stdout) {
		t.Errorf("stdout %q", r.stdout)
	}
	if r.stderr != "ERROR: Minions returned with non-zero exit code\n" || r.code != 1 {
		t.Errorf("stderr %q exit %d", r.stderr, r.code)
	}
	loads := m.Loads()
	if len(loads) != 2 || jsonOf(mustGet(loads[1], "fun")) != `"saltutil.find_job"` || jsonOf(mustGet(loads[1], "tgt")) != `["b"]` {
		t.Errorf("publishes %v: want a find_job to b", loads)
	}
}

// No delivered event for a minion: [Not delivered].
func TestNotDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := pingers("a", "b")
	ms[1].Withhold, ms[1].NoDelivered = true, true
	e.start(nil, ms...)
	r := e.salt("*", "test.ping", "-t", "1", "--out", "json")
	want := "{\n    \"a\": true\n}\n{\n    \"b\": \"Minion did not return. [Not delivered]\"\n}\n"
	if r.stdout != want || r.code != 1 {
		t.Errorf("stdout %q exit %d, want %q exit 1", r.stdout, r.code, want)
	}
}

func TestHideTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := pingers("a", "b")
	ms[1].Withhold = true
	e.start(nil, ms...)
	r := e.salt("*", "test.ping", "-t", "1", "--hide-timeout")
	if r.stdout != "a:\n    True\n" || r.code != 0 || r.stderr != "" {
		t.Errorf("--hide-timeout: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	// -v shows the missing anyway.
	r = e.salt("*", "test.ping", "-t", "1", "--hide-timeout", "-v")
	if !strings.Contains(r.stdout, "b:\n    Minion did not return. [No response]\n    The minions may not") || r.code != 1 {
		t.Errorf("--hide-timeout -v: %q exit %d", r.stdout, r.code)
	}
	// Nothing at all came back: said, not silent.
	r = e.salt("b", "test.ping", "-t", "1", "--hide-timeout")
	if r.stdout != "" || r.stderr != "ERROR: No return received\n" || r.code != 2 {
		t.Errorf("nothing back with --hide-timeout: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

func TestVerboseAndShowJID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a")...)
	m.SetJID(fixedJID)
	r := e.salt("-v", "a", "test.ping")
	want := "Executing job with jid " + fixedJID + "\n-------------------------------------------\n\na:\n    True\n"
	if r.stdout != want || r.code != 0 {
		t.Errorf("-v: %q exit %d, want %q", r.stdout, r.code, want)
	}
	r = e.salt("--show-jid", "a", "test.ping")
	if !regexp.MustCompile(`^jid: \d{20}\na:\n    True\n$`).MatchString(r.stdout) || r.code != 0 {
		t.Errorf("--show-jid: %q exit %d", r.stdout, r.code)
	}
}

func TestAsync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a", "b")...)
	m.SetJID(fixedJID)
	r := e.salt("--async", "*", "test.ping")
	if r.stdout != "Executed command with job ID: "+fixedJID+"\n" || r.stderr != "" || r.code != 0 {
		t.Errorf("--async: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	r = e.salt("--async", "nomatch", "test.ping")
	if r.stdout != noMatchNotice+"\n" || r.code != 2 {
		t.Errorf("--async, no match: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: map[string]any{"k": []any{int64(1), "é"}}})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "json"}, "{\n    \"a\": {\n        \"k\": [\n            1,\n            \"é\"\n        ]\n    }\n}\n"},
		{[]string{"--out", "json", "--out-indent", "2"}, "{\n  \"a\": {\n    \"k\": [\n      1,\n      \"é\"\n    ]\n  }\n}\n"},
		{[]string{"--out=json", "--out-indent=-1"}, "{\"a\": {\"k\": [1, \"é\"]}}\n"},
		{[]string{"--output", "json", "--output-indent", "0"}, "{\n\"a\": {\n\"k\": [\n1,\n\"é\"\n]\n}\n}\n"},
		{[]string{"--out", "yaml"}, "a:\n  k:\n  - 1\n  - é\n"},
		{[]string{"--out", "txt"}, "a: {'k': [1, 'é']}\n"},
		{[]string{"--out", "raw"}, "{'a': {'k': [1, 'é']}}\n"},
		{[]string{"--out", "nested"}, "a:\n    ----------\n    k:\n        - 1\n        - é\n"},
		{nil, "a:\n    ----------\n    k:\n        - 1\n        - é\n"},
	} {
		r := e.salt(append([]string{"a", "test.fn"}, c.args...)...)
		if r.stdout != c.want || r.code != 0 {
			t.Errorf("%v:\n got  %q exit %d %q\n want %q", c.args, r.stdout, r.code, r.stderr, c.want)
		}
	}
	// output_indent from the master config.
	e2 := newEnv(t, "output_indent: pretty\n")
	e2.start(nil, clienttest.Minion{ID: "a", Return: map[string]any{"z": 1, "b": 2}})
	if r := e2.salt("a", "test.fn", "--out", "json"); r.stdout != "{\n    \"a\": {\n        \"b\": 2,\n        \"z\": 1\n    }\n}\n" {
		t.Errorf("output_indent: pretty: %q", r.stdout)
	}
}

// The minion's own outputter is used when --out is not given; one the
// command does not have falls back to nested, with Salt's error line.
func TestReturnOutputter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: "x", Out: "json"}, clienttest.Minion{ID: "b", Return: "y", Out: "progress"})
	r := e.salt("*", "test.fn")
	if r.stdout != "{\n    \"a\": \"x\"\n}\nb:\n    y\n" || r.code != 0 {
		t.Errorf("stdout %q exit %d", r.stdout, r.code)
	}
	if r.stderr != "[ERROR   ] Invalid outputter progress specified, fall back to nested\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := []clienttest.Minion{{ID: "a", Return: true}, {ID: "b", Withhold: true}, {ID: "c", Return: "bad", Retcode: 2}}
	e.start(nil, ms...)
	r := e.salt("*", "test.fn", "--static", "--out", "json", "-t", "1")
	want := "{\n    \"a\": true,\n    \"c\": \"bad\",\n    \"b\": \"Minion did not return. [No response]\"\n}\n"
	if r.stdout != want || r.code != 1 || r.stderr != "ERROR: Minions returned with non-zero exit code\n" {
		t.Errorf("--static:\n got  %q %q exit %d\n want %q", r.stdout, r.stderr, r.code, want)
	}
	r = e.salt("a", "test.fn", "--static", "-v")
	if r.stdout != "a:\n    True\n" || r.code != 0 {
		t.Errorf("--static nested (no -v header): %q exit %d", r.stdout, r.code)
	}
}

func TestRetcodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil,
		clienttest.Minion{ID: "ok", Return: true},
		clienttest.Minion{ID: "fails", Return: "ERROR: boom", Retcode: 3},
		clienttest.Minion{ID: "raised", Return: "The minion function caused an exception", NoRetcode: true},
	)
	for _, c := range []struct {
		tgt  string
		code int
	}{{"ok", 0}, {"fails", 1}, {"raised", 1}, {"*", 1}} {
		r := e.salt(c.tgt, "test.fn")
		if r.code != c.code {
			t.Errorf("%s: exit %d, want %d (%q)", c.tgt, r.code, c.code, r.stderr)
		}
		if (c.code == 1) != (r.stderr == "ERROR: Minions returned with non-zero exit code\n") {
			t.Errorf("%s: stderr %q", c.tgt, r.stderr)
		}
	}
}

// Colours on request (a terminal, or --force-color), red keys for a
// failed return, the not-returned notice in red.
func TestColor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := []clienttest.Minion{{ID: "a", Return: []any{"x", int64(1)}}, {ID: "b", Return: "no", Retcode: 1}, {ID: "c", Withhold: true}}
	e.start(nil, ms...)
	r := e.salt("*", "test.fn", "--force-color", "-t", "1")
	want := "\x1b[0;36ma\x1b[0;0m:\n    \x1b[0;32m- x\x1b[0;0m\n    \x1b[0;1;33m- 1\x1b[0;0m\n" +
		"\x1b[0;31mb\x1b[0;0m:\n    \x1b[0;32mno\x1b[0;0m\n" +
		"\x1b[0;36mc\x1b[0;0m:\n\x1b[0;31m    Minion did not return. [No response]\x1b[0;0m\n\x1b[0;31m    The minions may not"
	if !strings.HasPrefix(r.stdout, want) || !strings.HasSuffix(r.stdout, "\x1b[0;0m\n") {
		t.Errorf("--force-color:\n got  %q\n want %q", r.stdout, want)
	}
	if r := e.salt("a", "test.fn"); strings.Contains(r.stdout, "\x1b") {
		t.Errorf("colours on a pipe: %q", r.stdout)
	}
}

func TestBadKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a")...)
	os.Remove(e.keyPath())
	e.writeKey("not the key")
	r := e.salt("*", "test.ping")
	// Salt 3006 prints the refusal's message as the output and exits 0
	// (testdata/shared/spec/salt-3006-observed is silent on it; the
	// lead's capture of issue 17 shows it).
	if r.code != 0 || r.stdout != "Authentication error occurred.\n" {
		t.Errorf("bad key: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

func TestUnreadableKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a")...)
	os.Remove(e.keyPath())
	r := e.salt("*", "test.ping")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "ERROR: cannot read the master's access key") || !strings.Contains(r.stderr, e.keyPath()) {
		t.Errorf("no key: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	if len(e.manor.Loads()) != 0 {
		t.Error("published without a key")
	}
}

func TestNoMaster(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	r := e.salt("*", "test.ping")
	manor := lane.HA(e.sock, "master", "manor")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "the salt master cannot be reached") || !strings.Contains(r.stderr, manor) {
		t.Errorf("no master: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "timeout: soon\n")
	r := e.salt("*", "test.ping")
	if r.code != 2 || !strings.Contains(r.stderr, "timeout") {
		t.Errorf("bad config: %q exit %d", r.stderr, r.code)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"*"}, 64, "a target and a function are required"},
		{[]string{}, 64, "a target and a function are required"},
		{[]string{"-E", "-L", "a", "test.ping"}, 64, "-E/--pcre, -L/--list are mutually exclusive"},
		{[]string{"--out", "highstatex", "a", "test.ping"}, 64, "invalid outputter 'highstatex'"},
		{[]string{"--bogus", "a", "test.ping"}, 64, "unknown flag: --bogus"},
		{[]string{"-l", "loud", "a", "test.ping"}, 64, "--log-level"},
		{[]string{"", "test.ping"}, 42, "Cannot execute command without defining a target."},
		{[]string{"a", "test.ping,test.echo", "x", "y", "z"}, 42, "Cannot execute compound command"},
	} {
		r := e.salt(c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) || r.stdout != "" {
			t.Errorf("%q: exit %d %q, want %d and %q", c.args, r.code, r.stderr, c.code, c.msg)
		}
	}
}

// Interrupted while waiting: the jid is shown, exit 1.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, clienttest.Minion{ID: "a", Withhold: true})
	m.SetJID(fixedJID)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	r := e.saltCtx(ctx, "a", "test.ping", "-t", "30")
	if r.code != 1 || !strings.Contains(r.stderr, "Exiting gracefully on Ctrl-c\nThis job's jid is: "+fixedJID+"\n") {
		t.Errorf("interrupted: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

func TestLogLevel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a")...)
	r := e.salt("-l", "debug", "a", "test.ping")
	if r.code != 0 || !strings.Contains(r.stderr, "[DEBUG   ] ") || r.stdout != "a:\n    True\n" {
		t.Errorf("-l debug: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
}

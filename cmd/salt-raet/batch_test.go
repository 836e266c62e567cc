package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

var jidRE = regexp.MustCompile(`\d{20}`)

// noJIDs replaces each jid with JID, for comparing whole outputs.
func noJIDs(s string) string { return jidRE.ReplaceAllString(s, "JID") }

// -b 1: the minions that answer the ping, one window each, in id order,
// each return printed as Batch.run prints it (nested sorts the id among
// "jid" and "retcode"), each window published only
// once the one before returned (its "Executing run on" line comes after
// that return).
func TestBatchOneAtATime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("c", "a", "b")...)
	r := e.salt("-b", "1", "*", "test.ping")
	var want strings.Builder
	for _, id := range []string{"a", "b", "c"} {
		want.WriteString("\nExecuting run on ['" + id + "']\n\n" + id + ":\n    True\njid:\n    JID\nretcode:\n    0\n")
	}
	if got := noJIDs(r.stdout); got != want.String() || r.code != 0 || r.stderr != "" {
		t.Errorf("-b 1:\n got  %q %q exit %d\n want %q", got, r.stderr, r.code, want.String())
	}
	loads := m.Loads()
	if len(loads) != 4 {
		t.Fatalf("%d publishes, want the ping and 3 windows", len(loads))
	}
	if jsonOf(mustGet(loads[0], "fun")) != `"test.ping"` || jsonOf(mustGet(loads[0], "tgt")) != `"*"` {
		t.Errorf("first publish %v, want the ping of the target", loads[0])
	}
	for i, id := range []string{"a", "b", "c"} {
		l := loads[i+1]
		if jsonOf(mustGet(l, "tgt")) != `["`+id+`"]` || jsonOf(mustGet(l, "tgt_type")) != `"list"` {
			t.Errorf("window %d: tgt %s %s", i, jsonOf(mustGet(l, "tgt")), jsonOf(mustGet(l, "tgt_type")))
		}
	}
}

// -b 50% of 4 minions: windows of 2, a new minion as soon as one returns;
// --out json prints each return with its retcode and jid in Salt's order.
func TestBatchPercentJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a", "b", "c", "d")...)
	r := e.salt("--batch-size", "50%", "*", "test.ping", "--out", "json")
	if !strings.HasPrefix(r.stdout, "\nExecuting run on ['a', 'b']\n\n") || r.code != 0 {
		t.Errorf("first window: %q exit %d %q", r.stdout, r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "Executing run on"); n != 3 {
		t.Errorf("%d windows, want [a b], [c], [d]: %q", n, r.stdout)
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		if !strings.Contains(noJIDs(r.stdout), "{\n    \"retcode\": 0,\n    \"jid\": \"JID\",\n    \""+id+"\": true\n}\n") {
			t.Errorf("return of %s missing: %q", id, r.stdout)
		}
	}
	if len(m.Loads()) != 4 {
		t.Errorf("%d publishes, want 4", len(m.Loads()))
	}
}

// A minion that does not answer the ping gets no job; the exit status is
// the highest retcode; a return without a retcode prints none.
func TestBatchDownMinionAndRetcode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ms := pingers("a", "b", "c")
	ms[1].Withhold = true
	ms[2].Retcode = 3
	ms[2].Return = ""
	e.start(nil, ms...)
	r := e.salt("-b", "5", "-t", "1", "*", "cmd.run", "exit 3")
	if !strings.HasPrefix(r.stdout, "Minion b did not respond. No job will be sent.\n\nExecuting run on ['a', 'c']\n\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(noJIDs(r.stdout), "c:\njid:\n    JID\nretcode:\n    3\n") || r.code != 3 {
		t.Errorf("c's return, exit 3: %q exit %d", r.stdout, r.code)
	}
	if strings.Contains(r.stdout, "b:") {
		t.Errorf("b was run: %q", r.stdout)
	}
}

// -L with an id that has no key: named as not responding, not run.
func TestBatchMissingID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a")...)
	r := e.salt("-b", "1", "-L", "a,ghost", "test.ping")
	want := "Minion ghost did not respond. No job will be sent.\n\nExecuting run on ['a']\n\na:\n    True\njid:\n    JID\nretcode:\n    0\n"
	if noJIDs(r.stdout) != want || r.code != 0 {
		t.Errorf("got %q exit %d, want %q", r.stdout, r.code, want)
	}
}

// Nothing matched: Salt's two lines, exit 0 as Salt's batch; --static
// with -b prints the returns as one group.
func TestBatchNoMatchAndStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a", "b")...)
	r := e.salt("-b", "1", "zz*", "test.ping")
	if r.stdout != noMatchNotice+"\nNo minions matched the target.\n" || r.code != 0 {
		t.Errorf("no match: %q exit %d", r.stdout, r.code)
	}
	r = e.salt("-b", "1", "--static", "*", "test.ping")
	if r.stdout != "a:\n    True\nb:\n    True\n" || r.code != 0 {
		t.Errorf("--static: %q exit %d", r.stdout, r.code)
	}
}

// --batch-wait holds a freed slot: with -b 2, the third minion starts
// only once a slot's wait is over, by when both of the first window have
// returned (within the second they have).
func TestBatchWait(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a", "b", "c")...)
	r := e.salt("-b", "2", "--batch-wait", "1", "*", "test.ping")
	want := "\nExecuting run on ['a', 'b']\n\na:\n    True\njid:\n    JID\nretcode:\n    0\nb:\n    True\njid:\n    JID\nretcode:\n    0\n" +
		"\nExecuting run on ['c']\n\nc:\n    True\njid:\n    JID\nretcode:\n    0\n"
	if got := noJIDs(r.stdout); got != want || r.code != 0 {
		t.Errorf("got %q exit %d, want %q", got, r.code, want)
	}
}

func TestBatchBadSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	for _, b := range []string{"x", "0", "-2", "0%", "1.5"} {
		r := e.salt("-b", b, "*", "test.ping")
		if r.code != exitUsage || !strings.Contains(r.stderr, "Invalid batch data sent: "+b+"\nData must be in the form of %10, 10% or 3") {
			t.Errorf("-b %s: exit %d %q", b, r.code, r.stderr)
		}
	}
	if r := e.salt("-b", "1", "--batch-wait", "-1", "*", "test.ping"); r.code != exitUsage || !strings.Contains(r.stderr, "--batch-wait") {
		t.Errorf("--batch-wait -1: exit %d %q", r.code, r.stderr)
	}
}

func TestBatchSizeOf(t *testing.T) {
	for _, c := range []struct {
		spec    string
		n, want int
	}{{"2", 5, 2}, {"25%", 4, 1}, {"10%", 3, 1}, {"%50", 5, 2}, {"60%", 5, 3}, {"100%", 3, 3}} {
		b, err := parseBatch(c.spec)
		if err != nil || b.of(c.n) != c.want {
			t.Errorf("%s of %d: %d %v, want %d", c.spec, c.n, b.of(c.n), err, c.want)
		}
	}
}

// A compound command prints a mapping of each function's return per
// minion, as Salt 3006 does.
func TestCompoundPrinted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ret := map[string]any{"test.ping": true, "test.echo": "hello"}
	e.start(nil, clienttest.Minion{ID: "a", Return: ret})
	r := e.salt("*", "test.ping,test.echo", ",", "hello")
	if r.stdout != "a:\n    ----------\n    test.echo:\n        hello\n    test.ping:\n        True\n" || r.code != 0 {
		t.Errorf("got %q exit %d", r.stdout, r.code)
	}
}

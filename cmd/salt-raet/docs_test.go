package main

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

// TestSysDocPrint: sys.doc is printed as Salt's CLI prints it: the
// docstrings of all minions merged, sorted by function, each as "fun:",
// the text and an empty line; a minion that did not return is left out
// and the exit status is 0.
func TestSysDocPrint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	echo := "\n    Return the argument unchanged.\n\n    CLI Example:\n\n        salt '*' test.echo 'some text'\n    "
	e.start(nil,
		clienttest.Minion{ID: "a", Return: body.Map{{Key: "test.ping", Value: "\n    Answer True.\n    "}, {Key: "test.echo", Value: echo}}},
		clienttest.Minion{ID: "b", Return: body.Map{{Key: "test.echo", Value: echo}, {Key: "test.nodoc", Value: nil}, {Key: "cmd.run", Value: "\n    Run.\n    "}}},
		clienttest.Minion{ID: "c", Withhold: true})
	r := e.salt("*", "sys.doc", "-t", "1")
	want := "cmd.run:\n\n    Run.\n    \n\n" +
		"test.echo:\n" + echo + "\n\n" +
		"test.ping:\n\n    Answer True.\n    \n\n"
	if r.code != 0 {
		t.Errorf("exit %d, want 0 (stderr %q)", r.code, r.stderr)
	}
	if r.stdout != want {
		t.Errorf("stdout\n%q\nwant\n%q", r.stdout, want)
	}

	// With an outputter, each docstring goes through nested.
	r = e.salt("a", "sys.doc", "--out", "json")
	// (display_output strips each one's trailing white space.)
	if r.stdout != "test.echo:\n    \n        Return the argument unchanged.\n    \n        CLI Example:\n    \n            salt '*' test.echo 'some text'\ntest.ping:\n    \n        Answer True.\n" {
		t.Errorf("--out json stdout %q", r.stdout)
	}
}

// TestSysDocNoReturn: nothing came back.
func TestSysDocNoReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "c", Withhold: true})
	r := e.salt("*", "sys.doc", "-t", "1")
	if r.code != 2 || r.stdout != "" || r.stderr != "No minions found to gather docs from\n" {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

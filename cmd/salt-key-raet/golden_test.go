package main

import (
	"strings"
	"testing"
)

// TestGolden runs every action on the standard fixture (web1 accepted, db1
// and web2 pending, old1 rejected, a local.key) in the key outputter's
// form and in --out json (and the other outputters for -L), and compares
// stdout byte for byte with testdata/<name>.golden. The changing actions
// run with -y; the key files must end where the action says.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		after string // key file places afterwards, for the changing actions
	}{
		{"list-all", nil, ""},
		{"list-all-L", []string{"-L"}, ""},
		{"list-acc", []string{"-l", "acc"}, ""},
		{"list-accepted", []string{"--list", "accepted"}, ""},
		{"list-un", []string{"-l", "un"}, ""},
		{"list-pre", []string{"-l", "pre"}, ""},
		{"list-pending", []string{"-l", "pending"}, ""},
		{"list-rej", []string{"-l", "rejected"}, ""},
		{"list-all-arg", []string{"-l", "all"}, ""},
		{"list-den", []string{"-l", "den"}, ""},
		{"print-web1", []string{"-p", "web1"}, ""},
		{"print-glob", []string{"-p", "web*,old1"}, ""},
		{"print-all", []string{"-P"}, ""},
		{"finger-web1", []string{"-f", "web1"}, ""},
		{"finger-all", []string{"-F"}, ""},
		{"finger-local", []string{"-f", "local*"}, ""},
		{"accept-web2", []string{"-a", "web2", "-y"}, "web1=accepted web2=accepted db1=pending old1=rejected"},
		{"accept-all", []string{"-A", "-y"}, "web1=accepted web2=accepted db1=accepted old1=rejected"},
		{"accept-include-rejected", []string{"-a", "*1", "--include-rejected", "-y"}, "web1=accepted web2=pending db1=accepted old1=accepted"},
		{"reject-db1", []string{"-r", "db1", "-y"}, "web1=accepted web2=pending db1=rejected old1=rejected"},
		{"reject-all", []string{"-R", "-y"}, "web1=accepted web2=rejected db1=rejected old1=rejected"},
		{"reject-include-all", []string{"-r", "web*", "--include-all", "-y"}, "web1=rejected web2=rejected db1=pending old1=rejected"},
		{"delete-web", []string{"-d", "web*", "-y"}, "web1=none web2=none db1=pending old1=rejected"},
		{"delete-all", []string{"-D", "-y"}, "web1=none web2=none db1=none old1=none"},
	} {
		for _, form := range []struct {
			suffix string
			args   []string
		}{{"", nil}, {".json", []string{"--out", "json"}}} {
			name := c.name + form.suffix
			t.Run(name, func(t *testing.T) {
				e := standard(t)
				code, out, errOut := e.run(t, "", append(append([]string{}, c.args...), form.args...)...)
				if code != 0 || errOut != "" {
					t.Fatalf("exit %d, stderr %q", code, errOut)
				}
				golden(t, name, out)
				if c.after != "" {
					if got := e.states(t, "web1", "web2", "db1", "old1"); got != c.after {
						t.Errorf("afterwards %s, want %s", got, c.after)
					}
				}
			})
		}
	}
	for _, out := range []string{"yaml", "txt", "raw", "text", "key"} {
		t.Run("list-all."+out, func(t *testing.T) {
			e := standard(t)
			code, got, errOut := e.run(t, "", "-L", "--out", out)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			name := "list-all." + out
			if out == "text" {
				name = "list-all.txt" // the same outputter
			}
			if out == "key" {
				name = "list-all"
			}
			golden(t, name, got)
		})
	}
	t.Run("print-web1.yaml", func(t *testing.T) {
		e := standard(t)
		code, got, errOut := e.run(t, "", "-p", "web1", "--out=yaml")
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		golden(t, "print-web1.yaml", got)
	})
}

// TestGoldenLooksLike3006 checks the goldens against the shape of what
// Salt 3006 printed (spec/salt-3006-observed/13-salt-key.json and
// 00-minion-join-and-key-accept.json), with RAET's statuses in place of
// ZeroMQ's, so that a wrong golden cannot be accepted with -update alone.
func TestGoldenLooksLike3006(t *testing.T) {
	e := newEnv(t, "")
	for _, id := range []string{"min1", "min2", "min3"} {
		testKeys[id] = [2]string{strings.Repeat("a"+id[3:], 32), strings.Repeat("b"+id[3:], 32)}
		defer delete(testKeys, id)
		e.join(t, id)
	}
	_, out, _ := e.run(t, "", "-L")
	if out != "Accepted Keys:\nUnaccepted Keys:\nmin1\nmin2\nmin3\nRejected Keys:\n" {
		t.Errorf("-L: %q", out)
	}
	_, out, _ = e.run(t, "", "-L", "--out", "json")
	if out != "{\n    \"accepted\": [],\n    \"pending\": [\n        \"min1\",\n        \"min2\",\n        \"min3\"\n    ],\n    \"rejected\": []\n}\n" {
		t.Errorf("-L --out json: %q", out)
	}
	_, out, _ = e.run(t, "", "-A", "-y")
	want := "The following keys are going to be accepted:\nUnaccepted Keys:\nmin1\nmin2\nmin3\n" +
		"Key for minion min1 accepted.\nKey for minion min2 accepted.\nKey for minion min3 accepted.\n"
	if out != want {
		t.Errorf("-A -y: %q", out)
	}
	_, out, _ = e.run(t, "")
	if out != "Accepted Keys:\nmin1\nmin2\nmin3\nUnaccepted Keys:\nRejected Keys:\n" {
		t.Errorf("after -A: %q", out)
	}
}

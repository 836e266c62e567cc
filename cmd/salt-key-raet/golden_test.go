package main

import (
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
	for _, out := range []string{"yaml", "nested", "txt", "raw", "text", "key"} {
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

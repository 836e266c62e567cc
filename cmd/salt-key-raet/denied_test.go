package main

import (
	"strings"
	"testing"
)

// TestDenied: -l den and -l denied list an empty minions_denied (a RAET
// master denies no key) under "Denied Keys:", and --include-denied is
// taken, naming denied keys in the no-match message as Salt 3006 does.
func TestDenied(t *testing.T) {
	e := standard(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "den"}, "Denied Keys:\n"},
		{[]string{"-l", "denied", "--out", "json"}, "{\n    \"minions_denied\": []\n}\n"},
		{[]string{"-l", "denied", "--out", "yaml"}, "minions_denied: []\n"},
		{[]string{"-a", "zz", "--include-denied", "-y"}, "The key glob 'zz' does not match any unaccepted or denied keys.\n"},
		{[]string{"-a", "zz", "--include-all", "--include-denied", "-y"}, "The key glob 'zz' does not match any unaccepted, rejected or denied keys.\n"},
		{[]string{"-r", "zz", "--include-accepted", "--include-denied", "-y"}, "The key glob 'zz' does not match any unaccepted, accepted or denied keys.\n"},
	} {
		code, out, errOut := e.run(t, "", c.args...)
		if code != 0 || errOut != "" || out != c.want {
			t.Errorf("%v: exit %d, stderr %q, stdout %q, want %q", c.args, code, errOut, out, c.want)
		}
	}
	if got := e.states(t, "web1", "web2", "db1", "old1"); got != "web1=accepted web2=pending db1=pending old1=rejected" {
		t.Errorf("keys moved: %s", got)
	}
}

// TestUnknownOutputter: an outputter salt-key does not have falls back to
// nested, logged at error, as Salt 3006 does; the exit status is 0.
func TestUnknownOutputter(t *testing.T) {
	e := standard(t)
	code, out, errOut := e.run(t, "", "-L", "--out", "pprint")
	if code != 0 || errOut != "[ERROR   ] Invalid outputter pprint specified, fall back to nested\n" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "list-all.nested", out)
	code, out, errOut = e.run(t, "", "--gen-keys", "x1", "--gen-keys-dir", t.TempDir(), "--out", "bogus")
	if code != 0 || !strings.HasPrefix(out, "return:\n    ") || !strings.Contains(errOut, "Invalid outputter bogus") {
		t.Errorf("--gen-keys: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

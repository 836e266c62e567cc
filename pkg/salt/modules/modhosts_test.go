package modules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
)

// TestHosts: the hosts module works on the file of the hosts.file option,
// a temp file here.
func TestHosts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(p, []byte("# top\n127.0.0.1 localhost # loop\n10.0.0.1 a b\n"), 0o644)
	e := New(Options{Config: &config.Minion{Common: config.Common{Raw: map[string]any{"hosts.file": p}}}})
	wantOK(t, run(e, "hosts.list_hosts"), body.Map{
		{Key: "comment-0", Value: []any{"# top"}},
		{Key: "127.0.0.1", Value: body.Map{{Key: "aliases", Value: []any{"localhost"}}, {Key: "comment", Value: "loop"}}},
		{Key: "10.0.0.1", Value: body.Map{{Key: "aliases", Value: []any{"a", "b"}}}},
	})
	wantOK(t, run(e, "hosts.get_ip", "b"), "10.0.0.1")
	wantOK(t, run(e, "hosts.get_ip", "zz"), "")
	wantOK(t, run(e, "hosts.has_pair", "10.0.0.1", []any{"a", "b"}), true)
	wantOK(t, run(e, "hosts.has_pair", "10.0.0.1", []any{"a", "z"}), false)
	wantOK(t, run(e, "hosts.add_host", "10.0.0.2", "c"), true)
	wantOK(t, run(e, "hosts.get_alias", "10.0.0.2"), []any{"c"})
	wantOK(t, run(e, "hosts.rm_host", "10.0.0.1", "a"), true)
	wantOK(t, run(e, "hosts.get_alias", "10.0.0.1"), []any{"b"})
	wantOK(t, run(e, "hosts.set_comment", "10.0.0.2", "new"), true)
	wantOK(t, run(e, "hosts.set_comment", "10.9.9.9", "new"), false)
	wantOK(t, run(e, "hosts.set_host", "10.0.0.1", "only", kw("comment", "c1")), true)
	b, _ := os.ReadFile(p)
	if want := "# top\n127.0.0.1\t\tlocalhost\t\t# loop\n10.0.0.1\t\tonly\t\t# c1\n10.0.0.2\t\tc\t\t# new\n"; string(b) != want {
		t.Errorf("hosts file:\n%q\nwant\n%q", b, want)
	}
	// add_host creates a missing file, as Salt's _get_or_create_hostfile.
	os.Remove(p)
	wantOK(t, run(e, "hosts.add_host", "10.0.0.3", "d"), true)
	if b, _ := os.ReadFile(p); string(b) != "10.0.0.3\t\td\n" {
		t.Errorf("created hosts file %q", b)
	}
}

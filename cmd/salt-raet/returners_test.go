package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// -N and N@ words are resolved with the config's nodegroups before the
// publish, as Salt's LocalClient does, and --return, --return_config and
// --return_kwargs go into the load as Salt puts them: ret at the top,
// ret_config and ret_kwargs (read as YAML) in kwargs.
func TestNodegroupAndReturnFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "nodegroups:\n  webs: 'L@a,b'\n  some: 'N@webs and not b'\n  ids: [a, c]\n")
	m := e.start(nil, pingers("a")...)
	const kw = `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true`
	for _, c := range []struct {
		args                      []string
		tgtType, tgt, ret, kwargs string
	}{
		{[]string{"-N", "some", "test.ping"}, `"compound"`, `"( ( L@a,b ) and not b )"`, `""`, kw + `}`},
		{[]string{"--nodegroup", "ids", "test.ping"}, `"compound"`, `"L@a,c"`, `""`, kw + `}`},
		{[]string{"-C", "N@webs or G@os:x", "test.ping"}, `"compound"`, `"L@a,b or G@os:x"`, `""`, kw + `}`},
		{[]string{"a", "test.ping", "--return", "rawfile_json,syslog"}, `"glob"`, `"a"`, `"rawfile_json,syslog"`, kw + `}`},
		{[]string{"a", "test.ping", "--return", "syslog", "--return_config", "alt", "--return_kwargs", "{tag: x, level: LOG_ERR}"},
			`"glob"`, `"a"`, `"syslog"`, kw + `,"ret_config":"alt","ret_kwargs":{"tag":"x","level":"LOG_ERR"}}`},
	} {
		before := len(m.Loads())
		r := e.salt(c.args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d %q", c.args, r.code, r.stderr)
			continue
		}
		l := m.Loads()[before]
		for _, f := range []struct{ key, want string }{{"tgt_type", c.tgtType}, {"tgt", c.tgt}, {"ret", c.ret}, {"kwargs", c.kwargs}} {
			if got := jsonOf(mustGet(l, f.key)); got != f.want {
				t.Errorf("%v: %s %s, want %s", c.args, f.key, got, f.want)
			}
		}
	}
	before := len(m.Loads())
	for _, args := range [][]string{{"-N", "nope", "test.ping"}, {"-C", "a or N@nope", "test.ping"}} {
		r := e.salt(args...)
		want := "Node group nope unavailable in " + filepath.Join(e.conf, "master")
		if r.code != 0 || !strings.HasPrefix(r.stdout, want) {
			t.Errorf("%v: exit %d stdout %q, want %q and exit 0 as Salt", args, r.code, r.stdout, want)
		}
	}
	if len(m.Loads()) != before {
		t.Errorf("an unknown nodegroup was published")
	}
	if r := e.salt("-N", "-C", "x", "test.ping"); r.code != 64 || !strings.Contains(r.stderr, "-C/--compound, -N/--nodegroup are mutually exclusive") {
		t.Errorf("-N -C: exit %d %q", r.code, r.stderr)
	}
}

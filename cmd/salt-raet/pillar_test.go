package main

import (
	"strings"
	"testing"
)

// -I/--pillar and -J/--pillar-pcre publish pillar and pillar_pcre
// targets, as Salt 3006's salt; with another target flag they are refused.
func TestPillarTargetFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, pingers("a")...)
	for _, c := range []struct {
		args                 []string
		tgtType, tgt, kwargs string
	}{
		{[]string{"-I", "role:db", "test.ping"}, `"pillar"`, `"role:db"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`},
		{[]string{"--pillar", "role:db*", "test.ping"}, `"pillar"`, `"role:db*"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`},
		{[]string{"-J", "role|d.*", "test.ping", "--delimiter", "|"}, `"pillar_pcre"`, `"role|d.*"`, `{"show_timeout":true,"show_jid":false,"delimiter":"|","listen":true}`},
		{[]string{"--pillar-pcre", "role:d.*", "test.ping"}, `"pillar_pcre"`, `"role:d.*"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`},
		{[]string{"-C", "I@role:db and J@app:^x", "test.ping"}, `"compound"`, `"I@role:db and J@app:^x"`, `{"show_timeout":true,"show_jid":false,"delimiter":":","listen":true}`},
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
		if got := jsonOf(mustGet(l, "tgt")); got != c.tgt {
			t.Errorf("%v: tgt %s, want %s", c.args, got, c.tgt)
		}
		if got := jsonOf(mustGet(l, "kwargs")); got != c.kwargs {
			t.Errorf("%v: kwargs %s, want %s", c.args, got, c.kwargs)
		}
	}
	r := e.salt("-I", "-G", "role:db", "test.ping")
	if r.code != 64 || !strings.Contains(r.stderr, "-G/--grain, -I/--pillar are mutually exclusive") {
		t.Errorf("-I -G: exit %d %q", r.code, r.stderr)
	}
	r = e.salt("--help")
	if !strings.Contains(r.stdout, "-J, --pillar-pcre") || !strings.Contains(r.stdout, `"role:production*"`) {
		t.Errorf("--help does not show the pillar flags:\n%s", r.stdout)
	}
}

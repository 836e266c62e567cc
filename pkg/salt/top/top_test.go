package top

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestConfirm(t *testing.T) {
	m := Matcher{
		ID:     "web1",
		Grains: map[string]any{"os": "Debian", "roles": []any{"web", "db"}},
		Nodegroups: map[string]any{
			"webs": "L@web1,web2", "list": []any{"web1", "web3"}, "nested": "N@webs and G@os:Debian",
			"loop": "N@loop", "other": "db*",
		},
	}
	match := func(kind string) []any { return []any{body.Map{{Key: "match", Value: kind}}, "sls"} }
	cases := []struct {
		tgt  string
		data []any
		want bool
	}{
		{"*", []any{"sls"}, true},
		{"web*", nil, true},
		{"db*", nil, false},
		{"os:Debian", match("grain"), true},
		{"roles:db", match("grain"), true},
		{"os:Redhat", match("grain"), false},
		{"G@os:Debian and web*", nil, true},
		{"webs", match("nodegroup"), true},
		{"list", match("nodegroup"), true},
		{"nested", match("nodegroup"), true},
		{"other", match("nodegroup"), false},
		{"unknown", match("nodegroup"), false},
		{"N@webs or db*", nil, true},
		{"N@other", nil, false},
		{"N@loop", nil, false},
		// the last match option wins, as confirm_top reads them
		{"os:Debian", append(match("glob"), map[string]any{"match": "grain"}), true},
		{"[", match("pcre"), false},
	}
	for _, c := range cases {
		if got := m.Confirm(c.tgt, c.data); got != c.want {
			t.Errorf("Confirm(%q, %v) = %v, want %v", c.tgt, c.data, got, c.want)
		}
	}
}

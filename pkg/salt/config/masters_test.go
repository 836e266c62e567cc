package config

import (
	"testing"
)

func TestMasterOptionForms(t *testing.T) {
	for _, c := range []struct {
		name, conf string
		raw        any
		want       []MasterAddr
	}{
		{"default", "", "salt", []MasterAddr{{External: HostPort{"salt", 4506}}}},
		{"default follows master_port", "master_port: 4600\n", "salt", []MasterAddr{{External: HostPort{"salt", 4600}}}},
		{"host", "master: 10.0.0.5\n", "10.0.0.5", []MasterAddr{{External: HostPort{"10.0.0.5", 4506}}}},
		{"host with master_port", "master_port: 5000\nmaster: m1\n", "m1", []MasterAddr{{External: HostPort{"m1", 5000}}}},
		{"host port", "master: me.example.com 4510\n", "me.example.com 4510", []MasterAddr{{External: HostPort{"me.example.com", 4510}}}},
		{"host:port", "master: me.example.com:4999\n", "me.example.com:4999", []MasterAddr{{External: HostPort{"me.example.com", 4999}}}},
		{"host: (colon, no port)", "master: 'me.example.com:'\n", "me.example.com:", []MasterAddr{{External: HostPort{"me.example.com", 4506}}}},
		{"IPv6", "master: '::1'\n", "::1", []MasterAddr{{External: HostPort{"::1", 4506}}}},
		{"IPv6 port", "master: 'fe80::1 4507'\n", "fe80::1 4507", []MasterAddr{{External: HostPort{"fe80::1", 4507}}}},
		{"[IPv6]:port", "master: '[::1]:4507'\n", "[::1]:4507", []MasterAddr{{External: HostPort{"::1", 4507}}}},
		{"[IPv6]", "master: '[::1]'\n", "[::1]", []MasterAddr{{External: HostPort{"::1", 4506}}}},
		{
			"list", "master:\n  - a.example.com\n  - b.example.com 4510\n  - c:4600\n  - 8.8.4.4  4506\n",
			[]any{"a.example.com", "b.example.com 4510", "c:4600", "8.8.4.4  4506"},
			[]MasterAddr{
				{External: HostPort{"a.example.com", 4506}},
				{External: HostPort{"b.example.com", 4510}},
				{External: HostPort{"c", 4600}},
				{External: HostPort{"8.8.4.4", 4506}},
			},
		},
		{
			"external/internal", "master:\n  external: me.example.com 4506\n  internal: 10.0.2.100 4507\n",
			map[string]any{"external": "me.example.com 4506", "internal": "10.0.2.100 4507"},
			[]MasterAddr{{External: HostPort{"me.example.com", 4506}, Internal: HostPort{"10.0.2.100", 4507}}},
		},
		{
			"list of mappings and strings", "master:\n  - external: me.example.com\n    internal: 10.0.2.100\n  - external: we.example.com\n  - they.example.com\n  - {external: you.example.com, internal: ''}\n",
			[]any{
				map[string]any{"external": "me.example.com", "internal": "10.0.2.100"},
				map[string]any{"external": "we.example.com"},
				"they.example.com",
				map[string]any{"external": "you.example.com", "internal": ""},
			},
			[]MasterAddr{
				{External: HostPort{"me.example.com", 4506}, Internal: HostPort{"10.0.2.100", 4506}},
				{External: HostPort{"we.example.com", 4506}},
				{External: HostPort{"they.example.com", 4506}},
				{External: HostPort{"you.example.com", 4506}},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := minionConf(t, c.conf)
			eq(t, "Master.Raw", m.Master.Raw, c.raw)
			eq(t, "Master.Addrs", m.Master.Addrs, c.want)
		})
	}
}

func TestMasterHostPorts(t *testing.T) {
	m := minionConf(t, "master:\n  - a\n  - '::1 4510'\n  - external: b 4600\n    internal: 10.0.0.1\n")
	eq(t, "HostPorts()", m.Master.HostPorts(), []string{"a:4506", "[::1]:4510", "b:4600"})
	eq(t, "Internal", m.Master.Addrs[2].Internal.String(), "10.0.0.1:4506")
	eq(t, "no Internal", m.Master.Addrs[0].Internal.String(), "")
}

func TestMasterOptionErrors(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"master: me.example.com abc\n", `DIR/minion:1: master: "me.example.com abc": port "abc" is not a number`},
		{"master: me.example.com 70000\n", `DIR/minion:1: master: "me.example.com 70000": port 70000 is outside 1-65535`},
		{"master: a b c\n", `DIR/minion:1: master: "a b c": want "host" or "host port"`},
		{"master: ':4506'\n", `DIR/minion:1: master: ":4506" has a port but no host`},
		{"master: []\n", `DIR/minion:1: master: no master address given`},
		{"master:\n  - good\n  - bad 0\n", `DIR/minion:3: master: "bad 0": port 0 is outside 1-65535`},
		{"master:\n  internal: 10.0.0.1\n", `DIR/minion:1: master: a master mapping needs external: "host [port]"`},
		{"master:\n  external: a\n  extrnal: b\n", `DIR/minion:3: master.extrnal: unknown key; a master mapping has external and internal`},
		{"master:\n  external: [a]\n", `DIR/minion:2: master.external: want "host [port]", got a list`},
		{"master:\n  - [a, b]\n", `DIR/minion:2: master: want "host [port]", a list of them, or {external: "host [port]", internal: "host [port]"}, got a list`},
		{"master_port: 0\n", `DIR/minion:1: master_port: port 0 is outside 1-65535`},
	} {
		got, _ := minionError(t, c.conf)
		eq(t, "error for "+c.conf, got, c.want)
	}
}

package config

import (
	"math"
	"strings"
	"testing"
)

// TestPyYAMLScalars pins the YAML 1.1 reading Salt's configs get from PyYAML,
// where yaml.v3 alone would read YAML 1.2 (yes is a string there).
func TestPyYAMLScalars(t *testing.T) {
	m := masterConf(t, `
b_yes: yes
b_No: No
b_ON: ON
b_off: off
b_True: True
b_mixed: yEs
s_quoted: 'yes'
s_y: y
n_tilde: ~
n_null: null
n_empty:
i_dec: 42
i_neg: -7
i_under: 1_000
i_octal: 0755
i_hex: 0x1F
i_bin: 0b101
i_sexa: 190:20:30
i_tagged: !!int "12"
s_tagged: !!str 12
s_leading0_8: 089
f_dot: 1.5
f_exp: 6.8523015e+5
f_noexp_dot: 1e5
f_inf: -.inf
f_lead: .5
s_date: 2001-12-14
s_version: 3006.1.1
s_block: |
  yes
`)
	want := map[string]any{
		"b_yes": true, "b_No": false, "b_ON": true, "b_off": false, "b_True": true,
		"b_mixed":  "yEs", // PyYAML resolves only yes/Yes/YES
		"s_quoted": "yes", "s_y": "y",
		"n_tilde": nil, "n_null": nil, "n_empty": nil,
		"i_dec": 42, "i_neg": -7, "i_under": 1000, "i_octal": 493, "i_hex": 31, "i_bin": 5,
		"i_sexa": 685230, "i_tagged": 12, "s_tagged": "12",
		"s_leading0_8": "089", // not octal, not decimal: a string in PyYAML
		"f_dot":        1.5, "f_exp": 685230.15,
		"f_noexp_dot": "1e5", // PyYAML's float needs a dot
		"f_inf":       math.Inf(-1), "f_lead": 0.5,
		"s_date": "2001-12-14", "s_version": "3006.1.1", "s_block": "yes\n",
	}
	for k, v := range want {
		eq(t, "Raw["+k+"]", m.Raw[k], v)
	}
	eq(t, "len(Raw)", len(m.Raw), len(want))
}

func TestBoolOptionSpellings(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"yes", true}, {"YES", true}, {"yEs", true}, {"on", true}, {"True", true}, {"'true'", true}, {"1", true},
		{"no", false}, {"Off", false}, {"FALSE", false}, {`"no"`, false}, {"0", false},
	} {
		m := masterConf(t, "auto_accept: "+c.text+"\n")
		eq(t, "AutoAccept for "+c.text, m.AutoAccept, c.want)
	}
	for _, bad := range []string{"y", "n", "2", "enabled", "1.0"} {
		masterError(t, "auto_accept: "+bad+"\n")
	}
}

func TestIntOptionCoercion(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{"7", 7}, {"7.0", 7}, {"'7'", 7}, {"' 7 '", 7}, {"0x10", 16}, {"010", 8}, {"1_0", 10},
	} {
		m := masterConf(t, "worker_threads: "+c.text+"\n")
		eq(t, "WorkerThreads for "+c.text, m.WorkerThreads, c.want)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	m := masterConf(t, `
common_roots: &roots
  - /srv/common
defaults: &defaults
  base: *roots
  dev: [/srv/dev]
file_roots:
  <<: *defaults
  dev: [/srv/dev2]
cluster_masters: *roots
`)
	eq(t, "FileRoots", m.FileRoots, map[string][]string{"base": {"/srv/common"}, "dev": {"/srv/dev2"}})
	eq(t, "ClusterMasters", m.ClusterMasters, []string{"/srv/common"})
	file, line, _ := m.Origin("cluster_masters")
	eq(t, "Origin(cluster_masters)", []any{file, line}, []any{m.ConfFile, 10})
}

func TestAliasBomb(t *testing.T) {
	conf := "a: &a [x, x]\n"
	prev := "a"
	for i := 0; i < 80; i++ {
		name := string(rune('b'+i%24)) + string(rune('a'+i/24))
		conf += name + ": &" + name + " [*" + prev + ", *" + prev + "]\n"
		prev = name
	}
	got, err := masterError(t, conf)
	asError(t, err)
	if !strings.Contains(got, "aliases expand to more than") {
		t.Errorf("error %q does not say what is wrong", got)
	}
}

func TestPyParseInt(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0b11", -3, true}, {"+0x_ff", 255, true}, {"017", 15, true},
		{"-1:30", -90, true}, {"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false}, {"0b", 0, false},
	} {
		got, ok := pyParseInt(c.s)
		if got != c.want || ok != c.ok {
			t.Errorf("pyParseInt(%q) = %d, %v; want %d, %v", c.s, got, ok, c.want, c.ok)
		}
	}
}

package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadYAML(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		// yaml.v3 gives the line of a scanner error right...
		{"worker_threads: 3\nauto_accept: yes: no\n", "DIR/master:2: YAML: mapping values are not allowed in this context"},
		{"worker_threads: 3\nuser: @salt\n", "DIR/master:2: YAML: found character that cannot start any token"},
		{"a: 1\nb:\n\t- x\n", "DIR/master:3: YAML: found character that cannot start any token"},
		// ...leaves it out on the first line...
		{"auto_accept: yes: no\n", "DIR/master:1: YAML: mapping values are not allowed in this context"},
		// ...and prints a parser error's line 0-based.
		{"a: 1\nb: 2\n- c\n", "DIR/master:3: YAML: did not find expected key"},
		{"a: 1\nb: 2\nc: [1, 2\nd: 4\n", "DIR/master:3: YAML: did not find expected ',' or ']'"},
		{"a: 1\nb: 2\nc: *nowhere\n", "DIR/master:3: YAML: alias *nowhere refers to no anchor &nowhere"},
		{"a: 1\n---\nb: 2\n", "DIR/master:2: a second YAML document starts here; a Salt config file holds one mapping"},
		{"- a\n- b\n", "DIR/master:1: want a mapping of option: value at the top of the file, got a list"},
		{"just a string\n", `DIR/master:1: want a mapping of option: value at the top of the file, got "just a string"`},
		{"a: 1\nworker_threads: 3\nworker_threads: 4\n", "DIR/master:3: worker_threads: given twice in one mapping (first at line 2)"},
		{"a: !!python/object:os.system x\n", "DIR/master:1: YAML: tag !!python/object:os.system is not supported in a Salt config"},
	} {
		got, err := masterError(t, c.conf)
		eq(t, "error for "+c.conf, got, c.want)
		asError(t, err)
	}
}

func TestBadYAMLInInclude(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "worker_threads: 3\n")
	write(t, filepath.Join(dir, "master.d", "bad.conf"), "# comment\ntimeout: [5\n")
	_, err := testLoader.LoadMaster(dir)
	if err == nil {
		t.Fatal("loaded")
	}
	eq(t, "error", relative(dir, err.Error()), "DIR/master.d/bad.conf:2: YAML: did not find expected ',' or ']'")
}

func TestBadType(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"transport: raet\nworker_threads: 3\nauto_accept: maybe\n", `DIR/master:3: auto_accept: want true or false, got "maybe"`},
		{"auto_accept: 2\n", `DIR/master:1: auto_accept: want true or false, got 2`},
		{"auto_accept: [yes]\n", `DIR/master:1: auto_accept: want true or false, got a list`},
		{"worker_threads: 5.5\n", `DIR/master:1: worker_threads: want a whole number, got 5.5`},
		{"worker_threads: five\n", `DIR/master:1: worker_threads: want a whole number, got "five"`},
		{"worker_threads: yes\n", `DIR/master:1: worker_threads: want a whole number, got yes`},
		{"worker_threads: 99999999999999999999999\n", `DIR/master:1: worker_threads: 99999999999999999999999 is out of range`},
		{"worker_threads: 4294967296\n", `DIR/master:1: worker_threads: 4294967296 is out of range`},
		{"ioflo_period: fast\n", `DIR/master:1: ioflo_period: want a number, got "fast"`},
		{"ioflo_period: .inf\n", `DIR/master:1: ioflo_period: want a finite number, got .inf`},
		{"user: {name: salt}\n", `DIR/master:1: user: want a string, got a mapping`},
		{"cluster_masters: {a: 1}\n", `DIR/master:1: cluster_masters: want a list of strings, got a mapping`},
		{"cluster_masters:\n  - a\n  - [b]\n", `DIR/master:3: cluster_masters: item 2: want a string, got a list`},
		{"file_roots: [/srv/salt]\n", `DIR/master:1: file_roots: want a mapping of saltenv: [directories], got a list`},
		{"file_roots:\n  base:\n    - /srv/salt\n    - {x: 1}\n", `DIR/master:4: file_roots.base: item 2: want a string, got a mapping`},
		{"include: {a: 1}\n", `DIR/master:1: include: want a list of strings, got a mapping`},
		{"log_level: loud\n", `DIR/master:1: log_level: "loud" is not a log level; want one of all, garbage, trace, debug, profile, info, warning, error, critical, quiet`},
		{"hash_type: crc32\n", `DIR/master:1: hash_type: "crc32" is not supported; want one of md5, sha1, sha224, sha256, sha384, sha512`},
		{"pki_dir: ''\n", `DIR/master:1: pki_dir: an empty path would put the pki_dir in the root directory; remove the line for the default`},
	} {
		got, err := masterError(t, c.conf)
		eq(t, "error for "+c.conf, got, c.want)
		e := asError(t, err)
		if e.Key == "" || e.Line == 0 || !strings.HasSuffix(e.File, "master") {
			t.Errorf("%s: Error fields %+v lack file, line or key", c.conf, e)
		}
	}
}

func TestBadTypeFields(t *testing.T) {
	_, err := masterError(t, "transport: raet\nworker_threads: 3\nauto_accept: maybe\n")
	e := asError(t, err)
	eq(t, "Line", e.Line, 3)
	eq(t, "Key", e.Key, "auto_accept")
	eq(t, "Msg", e.Msg, `want true or false, got "maybe"`)
}

func TestTransportNotRAET(t *testing.T) {
	for _, tr := range []string{"zeromq", "tcp", "detect", "RAET"} {
		got, err := masterError(t, "worker_threads: 3\ntransport: "+tr+"\n")
		eq(t, "master error", got, `DIR/master:2: transport: "`+tr+`" is not supported by salt-master-raet; set transport: raet`)
		e := asError(t, err)
		eq(t, "Key", e.Key, "transport")
	}
	got, _ := minionError(t, "transport: zeromq\n")
	eq(t, "minion error", got, `DIR/minion:1: transport: "zeromq" is not supported by salt-minion-raet; set transport: raet`)

	// An include file is named when it is the one that sets it.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "transport: raet\n")
	write(t, filepath.Join(dir, "master.d", "zmq.conf"), "# old\ntransport: zeromq\n")
	l := testLoader
	l.Program = "salt-key-raet"
	_, err := l.LoadMaster(dir)
	if err == nil {
		t.Fatal("loaded")
	}
	eq(t, "include error", relative(dir, err.Error()), `DIR/master.d/zmq.conf:2: transport: "zeromq" is not supported by salt-key-raet; set transport: raet`)

	// Absent means raet; explicit raet is fine.
	eq(t, "Transport absent", masterConf(t, "").Transport, "raet")
	eq(t, "Transport raet", minionConf(t, "transport: raet\n").Transport, "raet")
}

func TestBadPorts(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"raet_port: 70000\n", "DIR/master:1: raet_port: port 70000 is outside 1-65535"},
		{"raet_port: 0\n", "DIR/master:1: raet_port: port 0 is outside 1-65535"},
		{"raet_alt_port: -1\n", "DIR/master:1: raet_alt_port: port -1 is outside 1-65535"},
		{"raet_port: '65536'\n", "DIR/master:1: raet_port: port 65536 is outside 1-65535"},
	} {
		got, _ := masterError(t, c.conf)
		eq(t, "error for "+c.conf, got, c.want)
	}
	got, _ := minionError(t, "\nmaster_port: 99999\n")
	eq(t, "master_port", got, "DIR/minion:2: master_port: port 99999 is outside 1-65535")
	eq(t, "raet_port 65535", masterConf(t, "raet_port: 65535\n").RaetPort, 65535)
	eq(t, "raet_port 1", masterConf(t, "raet_port: 1\n").RaetPort, 1)
}

func TestNegativeAndZero(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"timeout: -1\n", "DIR/master:1: timeout: -1 is negative"},
		{"gather_job_timeout: -5\n", "DIR/master:1: gather_job_timeout: -5 is negative"},
		{"keep_jobs: -24\n", "DIR/master:1: keep_jobs: -24 is negative"},
		{"worker_threads: 0\n", "DIR/master:1: worker_threads: want at least 1, got 0"},
		{"worker_threads: -3\n", "DIR/master:1: worker_threads: want at least 1, got -3"},
		{"raet_road_bufcnt: 0\n", "DIR/master:1: raet_road_bufcnt: want at least 1, got 0"},
		{"loop_interval: 0\n", "DIR/master:1: loop_interval: want more than 0 seconds, got 0"},
		{"ioflo_period: -0.5\n", "DIR/master:1: ioflo_period: want more than 0 seconds, got -0.5"},
		{"ioflo_verbose: -1\n", "DIR/master:1: ioflo_verbose: -1 is negative"},
	} {
		got, _ := masterError(t, c.conf)
		eq(t, "error for "+c.conf, got, c.want)
	}
	eq(t, "timeout 0", masterConf(t, "timeout: 0\n").Timeout, 0)
}

// TestAllProblemsAtOnce: one restart fixes them all, listed in file order.
func TestAllProblemsAtOnce(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "worker_threads: many\nraet_port: 0\ntransport: zeromq\n")
	write(t, filepath.Join(dir, "master.d", "a.conf"), "timeout: -1\n")
	_, err := testLoader.LoadMaster(dir)
	if err == nil {
		t.Fatal("loaded")
	}
	eq(t, "errors", strings.Split(relative(dir, err.Error()), "\n"), []string{
		`DIR/master:1: worker_threads: want a whole number, got "many"`,
		`DIR/master:2: raet_port: port 0 is outside 1-65535`,
		`DIR/master:3: transport: "zeromq" is not supported by salt-master-raet; set transport: raet`,
		`DIR/master.d/a.conf:1: timeout: -1 is negative`,
	})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal("errors.As found no *Error in the joined error")
	}
}

func TestUnreadableConfig(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be cannot be read.
	write(t, filepath.Join(dir, "master", "x"), "")
	_, err := testLoader.LoadMaster(dir)
	if err == nil {
		t.Fatal("loaded")
	}
	eq(t, "error", relative(dir, err.Error()), "DIR/master: cannot read: is a directory")
}

func TestErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "/etc/salt/master", Line: 3, Key: "auto_accept", Msg: "m"}, "/etc/salt/master:3: auto_accept: m"},
		{Error{File: "/etc/salt/master", Key: "transport", Msg: "m"}, "/etc/salt/master: transport: m"},
		{Error{File: "/etc/salt/master", Line: 2, Msg: "m"}, "/etc/salt/master:2: m"},
		{Error{Key: "id", Msg: "m"}, "id: m"},
		{Error{Msg: "m"}, "m"},
	} {
		eq(t, "Error()", c.e.Error(), c.want)
	}
}

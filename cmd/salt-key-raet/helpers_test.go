package main

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// Fixed keys, so that fingerprints and printed keys are the same every run.
// Each minion's pub and verify keys are one byte repeated.
var testKeys = map[string][2]string{
	"web1": {strings.Repeat("11", 32), strings.Repeat("12", 32)},
	"web2": {strings.Repeat("21", 32), strings.Repeat("22", 32)},
	"db1":  {strings.Repeat("31", 32), strings.Repeat("32", 32)},
	"old1": {strings.Repeat("41", 32), strings.Repeat("42", 32)},
}

// The master's own keys, written to local.key: a Curve25519 private key
// and an Ed25519 seed.
var (
	localPriv = strings.Repeat("a5", 32)
	localSign = strings.Repeat("5a", 32)
)

// env is a master install in a temporary root: <root>/etc/salt/master sets
// root_dir, so pki_dir is <root>/etc/salt/pki/master and cachedir
// <root>/var/cache/salt/master.
type env struct {
	root, conf, pkiDir, cache string
	store                     *pki.Store
}

func newEnv(t *testing.T, extraConfig string) *env {
	t.Helper()
	return newEnvAt(t, t.TempDir(), extraConfig)
}

// newEnvAt is newEnv with the install under root.
func newEnvAt(t *testing.T, root, extraConfig string) *env {
	t.Helper()
	e := &env{
		root:   root,
		conf:   filepath.Join(root, "etc", "salt"),
		pkiDir: filepath.Join(root, "etc", "salt", "pki", "master"),
		cache:  filepath.Join(root, "var", "cache", "salt", "master"),
	}
	if err := os.MkdirAll(e.conf, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "root_dir: " + root + "\nid: saltmaster\n" + extraConfig
	if err := os.WriteFile(filepath.Join(e.conf, "master"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := pki.Open(e.pkiDir, pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	return e
}

// standard is the fixture of the golden tests: web1 accepted, db1 and
// web2 pending, old1 rejected, and a local.key. Keys are written the way
// the master writes them: a join of a new id makes a pending key.
func standard(t *testing.T) *env {
	t.Helper()
	return standardAt(t, t.TempDir())
}

// standardAt is standard with the install under root.
func standardAt(t *testing.T, root string) *env {
	t.Helper()
	e := newEnvAt(t, root, "")
	for _, id := range []string{"web1", "web2", "db1", "old1"} {
		e.join(t, id)
	}
	if err := e.store.Accept("web1"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Reject("old1"); err != nil {
		t.Fatal(err)
	}
	e.writeLocal(t)
	return e
}

// join decides a join of id with its test keys, as the master does.
func (e *env) join(t *testing.T, id string) raet.Acceptance {
	t.Helper()
	k := testKeys[id]
	st, err := e.store.Status(id, k[0], k[1])
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// writeLocal writes local.key as RaetKey.write_local does: a msgpack map
// {priv, sign} of raw strings, mode 0400.
func (e *env) writeLocal(t *testing.T) {
	t.Helper()
	b := append([]byte{0x82}, fixstr("priv")...)
	b = append(b, str16(localPriv)...)
	b = append(b, fixstr("sign")...)
	b = append(b, str16(localSign)...)
	if err := os.WriteFile(filepath.Join(e.pkiDir, "local.key"), b, 0o400); err != nil {
		t.Fatal(err)
	}
}

// run runs salt-key-raet with -c pointing at the env's config.
func (e *env) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"-c", e.conf}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// statusOf is where id's key file is: accepted, pending, rejected, or ""
// when there is none. More than one place is a failure.
func (e *env) statusOf(t *testing.T, id string) string {
	t.Helper()
	found := ""
	for _, st := range []string{"accepted", "pending", "rejected"} {
		_, err := os.Stat(filepath.Join(e.pkiDir, st, id))
		switch {
		case err == nil:
			if found != "" {
				t.Fatalf("%s has a key in %s and %s", id, found, st)
			}
			found = st
		case !errors.Is(err, fs.ErrNotExist):
			t.Fatal(err)
		}
	}
	return found
}

// states is statusOf for several ids, as "id=status ..." for comparisons.
func (e *env) states(t *testing.T, ids ...string) string {
	t.Helper()
	parts := make([]string, len(ids))
	for i, id := range ids {
		st := e.statusOf(t, id)
		if st == "" {
			st = "none"
		}
		parts[i] = id + "=" + st
	}
	return strings.Join(parts, " ")
}

func fixstr(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }
func str16(s string) []byte  { return append([]byte{0xda, byte(len(s) >> 8), byte(len(s))}, s...) }

// golden compares got with testdata/<name>.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: output differs from %s\n got:\n%s\nwant:\n%s", name, path, got, want)
	}
}

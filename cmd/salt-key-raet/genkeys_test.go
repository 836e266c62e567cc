package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// TestGenKeys: --gen-keys NAME --gen-keys-dir DIR prints {"return": <the
// fingerprint>} as Salt 3006 does (nested by default, json and yaml with
// --out; goldens with the random fingerprint masked), writes NAME.key and
// NAME.pub that the pki code loads back with that fingerprint, and the
// master's salt-key -f shows the same fingerprint once NAME.pub is
// installed as accepted/NAME.
func TestGenKeys(t *testing.T) {
	e := standard(t)
	dir := filepath.Join(t.TempDir(), "new", "keys")
	var printed string
	for _, form := range []struct{ golden, out string }{
		{"gen-keys", ""}, {"gen-keys.json", "json"}, {"gen-keys.yaml", "yaml"}, {"gen-keys", "key"},
	} {
		args := []string{"--gen-keys", "web9", "--gen-keys-dir", dir, "--keysize", "4096"}
		if form.out != "" {
			args = append(args, "--out", form.out)
		}
		code, out, errOut := e.run(t, "", args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		fp := fingerprintRE.FindString(out)
		if printed == "" {
			printed = fp
		} else if fp != printed {
			t.Errorf("%v: fingerprint %s, want the kept key's %s", args, fp, printed)
		}
		golden(t, form.golden, fingerprintRE.ReplaceAllString(out, "FP"))
	}
	local, err := pki.LoadLocalFile(filepath.Join(dir, "web9.key"))
	if err != nil {
		t.Fatal(err)
	}
	if got := pki.ColonHex(local.Fingerprint()); got != printed {
		t.Errorf("web9.key loads with fingerprint %s, printed %s", got, printed)
	}
	pub, err := pki.ReadKeyFile(filepath.Join(dir, "web9.pub"))
	if err != nil || pub.ID != "web9" || pub.Pub != local.PubHex() || pub.Verify != local.VerHex() {
		t.Fatalf("web9.pub = %+v, %v; want the public keys of web9.key", pub, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "web9.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.pkiDir, "accepted", "web9"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := e.run(t, "", "-f", "web9")
	if want := "Accepted Keys:\nweb9:  " + printed + "\n"; code != 0 || out != want {
		t.Errorf("-f web9 after installing web9.pub: %q, want %q", out, want)
	}
}

// TestGenKeysFlags: the default directory is the current one; -q prints
// nothing; --keysize out of Salt's range, a missing name, or --gen-keys
// with another action is a usage error; a name that is no id is an error
// naming it, and nothing is written.
func TestGenKeysFlags(t *testing.T) {
	e := newEnv(t, "")
	cwd := t.TempDir()
	t.Chdir(cwd)
	if code, out, errOut := e.run(t, "", "--gen-keys", "db9", "-q"); code != 0 || out != "" || errOut != "" {
		t.Errorf("-q: exit %d %q %q", code, out, errOut)
	}
	for _, f := range []string{"db9.key", "db9.pub"} {
		if _, err := os.Stat(filepath.Join(cwd, f)); err != nil {
			t.Errorf("not in the current directory: %v", err)
		}
	}
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--gen-keys", "x", "--keysize", "1024"}, exitUsage, "The minimum value for keysize is 2048"},
		{[]string{"--gen-keys", "x", "--keysize", "40000"}, exitUsage, "The maximum value for keysize is 32768"},
		{[]string{"--gen-keys", "x", "-L"}, exitUsage, "one action at a time"},
		{[]string{"--gen-keys="}, exitUsage, "--gen-keys needs a name"},
		{[]string{"--gen-keys", "../x"}, exitError, `invalid minion id "../x"`},
	} {
		code, out, errOut := e.run(t, "", c.args...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d saying %q", c.args, code, out, errOut, c.code, c.err)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 2 {
		t.Errorf("the refused runs wrote files: %v", entries)
	}
}

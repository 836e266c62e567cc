package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// TestPrompt answers the question for accept and delete and checks that
// the files moved only on a yes. Accept defaults to yes, delete to no.
func TestPrompt(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		answer string
		prompt string
		done   bool
		after  string
	}{
		{"accept empty answer", []string{"-a", "web2"}, "\n", "Proceed? [n/Y] ", true, "web2=accepted"},
		{"accept y", []string{"-a", "web2"}, "y\n", "Proceed? [n/Y] ", true, "web2=accepted"},
		{"accept Yes", []string{"-a", "web2"}, "Yes please\n", "Proceed? [n/Y] ", true, "web2=accepted"},
		{"accept y without newline", []string{"-a", "web2"}, "y", "Proceed? [n/Y] ", true, "web2=accepted"},
		{"accept n", []string{"-a", "web2"}, "n\n", "Proceed? [n/Y] ", false, "web2=pending"},
		{"accept other", []string{"-a", "web2"}, "sure\n", "Proceed? [n/Y] ", false, "web2=pending"},
		{"reject y", []string{"-r", "web2"}, "y\n", "Proceed? [n/Y] ", true, "web2=rejected"},
		{"reject n", []string{"-r", "web2"}, "n\n", "Proceed? [n/Y] ", false, "web2=pending"},
		{"delete empty answer", []string{"-d", "web1"}, "\n", "Proceed? [N/y] ", false, "web1=accepted"},
		{"delete y", []string{"-d", "web1"}, "y\n", "Proceed? [N/y] ", true, "web1=none"},
		{"delete Y", []string{"-D"}, "Y\n", "Proceed? [N/y] ", true, "web1=none"},
		{"delete n", []string{"-d", "web1"}, "n\n", "Proceed? [N/y] ", false, "web1=accepted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := standard(t)
			code, out, errOut := e.run(t, c.answer, c.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			head, tail, ok := strings.Cut(out, c.prompt)
			if !ok {
				t.Fatalf("no prompt %q in %q", c.prompt, out)
			}
			if !strings.HasPrefix(head, "The following keys are going to be ") {
				t.Errorf("before the prompt: %q", head)
			}
			if c.done != (strings.Contains(tail, "Key for minion ")) {
				t.Errorf("after the prompt: %q", tail)
			}
			if !c.done && tail != "" {
				t.Errorf("a no printed %q", tail)
			}
			id, _, _ := strings.Cut(c.after, "=")
			if got := e.states(t, id); got != c.after {
				t.Errorf("afterwards %s, want %s", got, c.after)
			}
		})
	}
}

// TestPromptWithoutInput: no answer at all (stdin at its end, as under
// cron) is an error, never the default yes.
func TestPromptWithoutInput(t *testing.T) {
	e := standard(t)
	code, out, errOut := e.run(t, "", "-A")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.HasSuffix(out, "Proceed? [n/Y] \n") || strings.Contains(out, "Key for minion") {
		t.Errorf("stdout %q", out)
	}
	if !strings.Contains(errOut, "Error: no answer on standard input") {
		t.Errorf("stderr %q", errOut)
	}
	if got := e.states(t, "web2", "db1"); got != "web2=pending db1=pending" {
		t.Errorf("keys moved without an answer: %s", got)
	}
}

// TestNoMatch: a glob that matches nothing prints Salt's message, whose
// list of statuses grows with the include flags, changes nothing and
// exits 0 as Salt 3006 does.
func TestNoMatch(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-a", "nosuch"}, "The key glob 'nosuch' does not match any unaccepted keys.\n"},
		// web1 is accepted, so accepting it finds no candidate.
		{[]string{"-a", "web1"}, "The key glob 'web1' does not match any unaccepted keys.\n"},
		{[]string{"-a", "nosuch", "--include-rejected"}, "The key glob 'nosuch' does not match any unaccepted or rejected keys.\n"},
		{[]string{"-a", "nosuch", "--include-all"}, "The key glob 'nosuch' does not match any unaccepted or rejected keys.\n"},
		// Accept never looks at accepted keys, whatever the flags say.
		{[]string{"-a", "nosuch", "--include-accepted"}, "The key glob 'nosuch' does not match any unaccepted keys.\n"},
		{[]string{"-r", "nosuch"}, "The key glob 'nosuch' does not match any unaccepted keys.\n"},
		{[]string{"-r", "old1"}, "The key glob 'old1' does not match any unaccepted keys.\n"},
		{[]string{"-r", "nosuch", "--include-accepted"}, "The key glob 'nosuch' does not match any unaccepted or accepted keys.\n"},
		{[]string{"-r", "nosuch", "--include-all"}, "The key glob 'nosuch' does not match any unaccepted or accepted keys.\n"},
		{[]string{"-r", "nosuch", "--include-rejected"}, "The key glob 'nosuch' does not match any unaccepted keys.\n"},
		{[]string{"-d", "nosuch"}, "The key glob 'nosuch' does not match any unaccepted keys.\n"},
		{[]string{"-d", "nosuch", "--include-accepted", "--include-rejected"}, "The key glob 'nosuch' does not match any unaccepted, accepted or rejected keys.\n"},
		{[]string{"-a", "nosuch,other*"}, "The key glob 'nosuch,other*' does not match any unaccepted keys.\n"},
	} {
		e := standard(t)
		code, out, errOut := e.run(t, "y\n", c.args...)
		if code != 0 || errOut != "" || out != c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, errOut, c.want)
		}
		if got := e.states(t, "web1", "web2", "db1", "old1"); got != "web1=accepted web2=pending db1=pending old1=rejected" {
			t.Errorf("%v changed keys: %s", c.args, got)
		}
	}
	// With nothing pending, -A has nothing to do.
	e := newEnv(t, "")
	if _, out, _ := e.run(t, "", "-A"); out != "The key glob '*' does not match any unaccepted keys.\n" {
		t.Errorf("-A on an empty store: %q", out)
	}
}

// TestIncludeFlagsChangeCandidates: the include flags widen what accept
// and reject act on, and nothing else.
func TestIncludeFlagsChangeCandidates(t *testing.T) {
	for _, c := range []struct {
		args  []string
		after string
	}{
		{[]string{"-a", "*", "-y"}, "web1=accepted web2=accepted db1=accepted old1=rejected"},
		{[]string{"-a", "*", "--include-rejected", "-y"}, "web1=accepted web2=accepted db1=accepted old1=accepted"},
		{[]string{"-A", "--include-all", "-y"}, "web1=accepted web2=accepted db1=accepted old1=accepted"},
		{[]string{"-r", "*", "-y"}, "web1=accepted web2=rejected db1=rejected old1=rejected"},
		{[]string{"-r", "*", "--include-accepted", "-y"}, "web1=rejected web2=rejected db1=rejected old1=rejected"},
		{[]string{"-R", "--include-rejected", "-y"}, "web1=accepted web2=rejected db1=rejected old1=rejected"},
		{[]string{"-a", "web*,db1", "-y"}, "web1=accepted web2=accepted db1=accepted old1=rejected"},
	} {
		e := standard(t)
		code, _, errOut := e.run(t, "", c.args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
		if got := e.states(t, "web1", "web2", "db1", "old1"); got != c.after {
			t.Errorf("%v: afterwards %s, want %s", c.args, got, c.after)
		}
	}
}

// salt2018KeyFile is a key file as Salt 2018.3 on Python 2 wrote it:
// msgpack raw strings (fixstr, and str16 for the 64-digit keys, never
// str8), with the fields in the order a Python 2 dict gave them.
func salt2018KeyFile(id, pub, ver string) []byte {
	b := []byte{0x83}
	b = append(b, fixstr("verify")...)
	b = append(b, str16(ver)...)
	b = append(b, fixstr("pub")...)
	b = append(b, str16(pub)...)
	b = append(b, fixstr("minion_id")...)
	b = append(b, fixstr(id)...)
	return b
}

// TestSalt2018KeyDir: a pki_dir left by Salt 2018.3 lists, prints and
// accepts, and an accepted file is moved, not rewritten.
func TestSalt2018KeyDir(t *testing.T) {
	e := newEnv(t, "")
	files := map[string][]byte{}
	for _, c := range []struct{ id, status string }{{"py-acc", "accepted"}, {"py-pend", "pending"}, {"Py-Pend2", "pending"}, {"py-rej", "rejected"}} {
		pub, ver := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
		files[c.id] = salt2018KeyFile(c.id, pub, ver)
		if err := os.WriteFile(filepath.Join(e.pkiDir, c.status, c.id), files[c.id], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A dot file is not a key (list_keys skips it).
	if err := os.WriteFile(filepath.Join(e.pkiDir, "pending", ".swp"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(t, "", "-L")
	want := "Accepted Keys:\npy-acc\nDenied Keys:\nUnaccepted Keys:\nPy-Pend2\npy-pend\nRejected Keys:\npy-rej\n"
	if code != 0 || errOut != "" || out != want {
		t.Errorf("-L: exit %d %q %q, want %q", code, out, errOut, want)
	}
	// JSON lists in Salt's case-insensitive order; the key outputter
	// sorts with sorted(), capitals first.
	_, out, _ = e.run(t, "", "-l", "un", "--out", "json")
	if out != "{\n    \"minions_pre\": [\n        \"py-pend\",\n        \"Py-Pend2\"\n    ]\n}\n" {
		t.Errorf("-l un --out json: %q", out)
	}
	_, out, _ = e.run(t, "", "-p", "py-acc")
	if out != "Accepted Keys:\npy-acc:  pub: "+strings.Repeat("ab", 32)+"\nverify: "+strings.Repeat("cd", 32)+"\n" {
		t.Errorf("-p: %q", out)
	}
	code, out, errOut = e.run(t, "", "-a", "py-pend", "-y")
	if code != 0 || errOut != "" || !strings.HasSuffix(out, "Key for minion py-pend accepted.\n") {
		t.Fatalf("-a: exit %d %q %q", code, out, errOut)
	}
	got, err := os.ReadFile(filepath.Join(e.pkiDir, "accepted", "py-pend"))
	if err != nil || !bytes.Equal(got, files["py-pend"]) {
		t.Errorf("accepted file %x, %v; want the original bytes %x", got, err, files["py-pend"])
	}
	// The master's store reads the moved file as accepted.
	if k, err := e.store.Get("py-pend"); err != nil || k.Status != raet.Accepted || k.Pub != strings.Repeat("ab", 32) {
		t.Errorf("store reads %+v, %v", k, err)
	}
}

// TestFingerprints: -f prints pki.Fingerprint with a colon between each
// pair of digits, and -F adds the local key's fingerprint, over the public
// keys derived from local.key, under local.
func TestFingerprints(t *testing.T) {
	e := standard(t)
	k := testKeys["web2"]
	fp := pki.Fingerprint(k[0], k[1])
	var pairs []string
	for i := 0; i < len(fp); i += 2 {
		pairs = append(pairs, fp[i:i+2])
	}
	code, out, _ := e.run(t, "", "-f", "web2")
	if want := "Unaccepted Keys:\nweb2:  " + strings.Join(pairs, ":") + "\n"; code != 0 || out != want {
		t.Errorf("-f web2: %q, want %q", out, want)
	}
	local, err := e.store.LoadLocal()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(t, "", "-F", "--out", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("-F: exit %d %q", code, errOut)
	}
	var got map[string]map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if g := strings.ReplaceAll(got["local"]["local.key"], ":", ""); g != local.Fingerprint() {
		t.Errorf("local fingerprint %s, want %s", g, local.Fingerprint())
	}
	if g := strings.ReplaceAll(got["minions_pre"]["web2"], ":", ""); g != fp {
		t.Errorf("web2 fingerprint %s, want %s", g, fp)
	}
	if len(got) != 4 || len(got["minions_pre"]) != 2 {
		t.Errorf("-F lists %v", got)
	}
	// Without local.key (a master that never started) -F still works.
	if err := os.Remove(filepath.Join(e.pkiDir, "local.key")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = e.run(t, "", "-F")
	if code != 0 || errOut != "" || strings.Contains(out, "Local Keys:") || !strings.Contains(out, "web2:  "+strings.Join(pairs, ":")) {
		t.Errorf("-F without local.key: exit %d %q %q", code, out, errOut)
	}
}

// TestBadConfig: a config for another transport is refused, naming the
// file, the line and the option; nothing else runs.
func TestBadConfig(t *testing.T) {
	e := newEnv(t, "transport: zeromq\n")
	code, out, errOut := e.run(t, "", "-L")
	file := filepath.Join(e.conf, "master")
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if !strings.HasPrefix(errOut, "Error: "+file+":3: transport: ") || !strings.Contains(errOut, "salt-key-raet") {
		t.Errorf("stderr %q", errOut)
	}
	// Several problems are each on their own line.
	e = newEnv(t, "transport: tcp\nlog_level: loud\n")
	code, _, errOut = e.run(t, "", "-L")
	if code != 1 || strings.Count(errOut, "Error: "+filepath.Join(e.conf, "master")+":") != 2 {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// YAML that does not parse.
	e = newEnv(t, "pki_dir: [unclosed\n")
	code, _, errOut = e.run(t, "", "-L")
	if code != 1 || !strings.Contains(errOut, filepath.Join(e.conf, "master")) {
		t.Errorf("bad yaml: exit %d, stderr %q", code, errOut)
	}
}

// TestBadPKIDir: a pki_dir that cannot be used is an error naming it.
func TestBadPKIDir(t *testing.T) {
	root := t.TempDir()
	blocker := filepath.Join(root, "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(root, "etc")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "root_dir: " + root + "\nid: m\npki_dir: /not-a-dir/pki\n"
	if err := os.WriteFile(filepath.Join(conf, "master"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"-c", conf, "-L"}, strings.NewReader(""), &out, &errOut)
	if code != 1 || out.Len() != 0 || !strings.Contains(errOut.String(), filepath.Join(blocker, "pki")) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// TestCorruptKey: a key file that is not a key is named; the other keys
// are still printed and the exit status says something went wrong.
// Accepting it is refused and leaves it where it is.
func TestCorruptKey(t *testing.T) {
	e := standard(t)
	bad := filepath.Join(e.pkiDir, "pending", "broken")
	if err := os.WriteFile(bad, []byte("-----BEGIN PUBLIC KEY-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(t, "", "-P")
	if code != 1 || !strings.Contains(errOut, bad) || !strings.Contains(out, "web2:  pub: ") || strings.Contains(out, "broken") {
		t.Errorf("-P: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = e.run(t, "", "-F")
	if code != 1 || !strings.Contains(errOut, bad) || !strings.Contains(out, "local.key:  ") {
		t.Errorf("-F: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Listing names it on stderr and still lists it under its heading.
	code, out, errOut = e.run(t, "", "-L")
	if code != 1 || !strings.Contains(out, "Unaccepted Keys:\nbroken\n") ||
		!strings.Contains(errOut, "Error: key file "+bad+" is unreadable: ") {
		t.Errorf("-L: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = e.run(t, "", "-L", "--out", "json")
	if code != 1 || !strings.Contains(out, `"broken"`) || !strings.Contains(errOut, bad) {
		t.Errorf("-L --out json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := e.run(t, "", "-l", "acc"); code != 0 || errOut != "" {
		t.Errorf("-l acc with a broken pending key: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut = e.run(t, "", "-A", "-y")
	if code != 1 || !strings.Contains(errOut, "Unable to accept invalid key for broken: ") || !strings.Contains(errOut, bad) {
		t.Errorf("-A: exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "Key for minion broken") || !strings.Contains(out, "Key for minion web2 accepted.") {
		t.Errorf("-A stdout %q", out)
	}
	if got := e.states(t, "broken", "web2", "db1"); got != "broken=pending web2=accepted db1=accepted" {
		t.Errorf("afterwards %s", got)
	}
}

// TestDeleteForgetsMinion: deleting a key removes the minion's data cache
// and its road estate files, and nothing of other minions.
func TestDeleteForgetsMinion(t *testing.T) {
	e := standard(t)
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	remote := filepath.Join(e.cache, "raet", "saltmaster_master", "remote")
	web1Cache := filepath.Join(e.cache, "minions", "web1", "data.p")
	web2Cache := filepath.Join(e.cache, "minions", "web2", "data.p")
	web1Estate := filepath.Join(remote, "estate.web1_minion.json")
	web2Estate := filepath.Join(remote, "estate.web2_minion.json")
	oddEstate := filepath.Join(remote, "estate.broken.json")
	write(web1Cache, "grains")
	write(web2Cache, "grains")
	write(web1Estate, `{"name": "web1_minion", "uid": 2, "role": "web1", "joined": true}`)
	write(web2Estate, `{"name": "web2_minion", "uid": 3, "role": "web2", "joined": null}`)
	write(oddEstate, `not json`)
	write(filepath.Join(e.cache, "raet", "saltmaster_master", "local", "estate.json"), `{"role": "web1"}`)

	code, out, errOut := e.run(t, "", "-d", "web1", "-y")
	if code != 0 || !strings.HasSuffix(out, "Key for minion web1 deleted.\n") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	for path, want := range map[string]bool{
		web1Cache: false, filepath.Dir(web1Cache): false, web1Estate: false,
		web2Cache: true, web2Estate: true, oddEstate: true,
		filepath.Join(e.cache, "raet", "saltmaster_master", "local", "estate.json"): true,
	} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s exists=%v, want %v", path, err == nil, want)
		}
	}
	// The unreadable estate was reported, not silently skipped.
	if !strings.Contains(errOut, "[WARNING ] ") || !strings.Contains(errOut, oddEstate) {
		t.Errorf("stderr %q", errOut)
	}
	// A rejected key deleted while the id is pending elsewhere keeps the
	// cache; answering no keeps everything.
	code, _, _ = e.run(t, "n\n", "-d", "web2")
	if _, err := os.Stat(web2Cache); code != 0 || err != nil {
		t.Errorf("answering no removed the cache: %v", err)
	}
}

// TestQuiet: -q prints nothing on stdout but still acts.
func TestQuiet(t *testing.T) {
	e := standard(t)
	code, out, errOut := e.run(t, "", "-q", "-y", "-a", "web2")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := e.states(t, "web2"); got != "web2=accepted" {
		t.Errorf("afterwards %s", got)
	}
	if _, out, _ := e.run(t, "", "-q", "-L"); out != "" {
		t.Errorf("-q -L printed %q", out)
	}
	// The question is still asked.
	_, out, _ = e.run(t, "n\n", "-q", "-d", "web2")
	if out != "Proceed? [N/y] " {
		t.Errorf("-q -d printed %q", out)
	}
}

// TestColor: colours only with --force-color here (stdout is a buffer),
// never with --no-color.
func TestColor(t *testing.T) {
	e := standard(t)
	_, out, _ := e.run(t, "", "-L", "--force-color")
	want := "\x1b[0;1;32mAccepted Keys:\x1b[0;0m\n\x1b[0;32mweb1\x1b[0;0m\n" +
		"\x1b[0;1;35mDenied Keys:\x1b[0;0m\n" +
		"\x1b[0;1;31mUnaccepted Keys:\x1b[0;0m\n\x1b[0;31mdb1\x1b[0;0m\n\x1b[0;31mweb2\x1b[0;0m\n" +
		"\x1b[0;1;34mRejected Keys:\x1b[0;0m\n\x1b[0;34mold1\x1b[0;0m\n"
	if out != want {
		t.Errorf("--force-color: %q", out)
	}
	if _, out, _ := e.run(t, "", "-L"); strings.Contains(out, "\x1b") {
		t.Errorf("coloured into a buffer: %q", out)
	}
	// A file is not a terminal either.
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cli.IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	if code := run([]string{"-c", e.conf, "-L"}, strings.NewReader(""), f, &bytes.Buffer{}); code != 0 {
		t.Fatal(code)
	}
	b, _ := os.ReadFile(f.Name())
	if bytes.Contains(b, []byte("\x1b")) {
		t.Errorf("coloured into a file: %q", b)
	}
}

// TestUsageErrors: command lines Salt's parser refuses exit 64 with the
// usage line and say what is wrong; nothing is changed.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-a", "web2", "-d", "web1"}, "give one action at a time, not -a/--accept and -d/--delete"},
		{[]string{"-L", "-A"}, "give one action at a time"},
		{[]string{"-l", "foo"}, "'foo' is not a valid argument to '--list'"},
		{[]string{"--keysize", "100"}, "The minimum value for keysize is 2048"},
		{[]string{"--log-level", "loud"}, "invalid choice: 'loud'"},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"-a"}, "needs an argument"},
		{[]string{"-a", ""}, "-a/--accept needs a glob"},
		{[]string{"-A", "web1"}, `unexpected argument "web1"`},
		{[]string{"--no-color", "--force-color"}, "cannot be used together"},
	} {
		e := standard(t)
		code, out, errOut := e.run(t, "y\n", c.args...)
		if code != 64 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", c.args, code, out)
		}
		if !strings.HasPrefix(errOut, "Usage: salt-key-raet [options]\n\nsalt-key-raet: error: ") || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: stderr %q, want it to say %q", c.args, errOut, c.msg)
		}
		if got := e.states(t, "web1", "web2"); got != "web1=accepted web2=pending" {
			t.Errorf("%v changed keys: %s", c.args, got)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--version"}, strings.NewReader(""), &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "salt-key-raet ") {
		t.Errorf("--version: exit %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"--help"}, strings.NewReader(""), &out, &errOut); code != 0 || !strings.Contains(out.String(), "--include-rejected") || !strings.Contains(out.String(), "--finger-all") {
		t.Errorf("--help: exit %d %q", code, out.String())
	}
}

// TestLogLevel: --log-level debug shows what was read; the default
// (warning) shows nothing on a clean run.
func TestLogLevel(t *testing.T) {
	e := standard(t)
	code, _, errOut := e.run(t, "", "-L", "--log-level", "debug")
	if code != 0 || !strings.Contains(errOut, "[DEBUG   ] Read configuration from "+filepath.Join(e.conf, "master")) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, _, errOut := e.run(t, "", "-L"); errOut != "" {
		t.Errorf("default level logged %q", errOut)
	}
}

// TestMissingConfigDir: as Salt, a config dir that is not a directory is
// warned about. (Here it is a file, so that loading then fails instead of
// opening the default /etc/salt/pki/master of the machine.)
func TestMissingConfigDir(t *testing.T) {
	var out, errOut bytes.Buffer
	dir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	run([]string{"-c", dir, "--version"}, strings.NewReader(""), &out, &errOut)
	if errOut.Len() != 0 {
		t.Errorf("--version looked at the config: %q", errOut.String())
	}
	code := run([]string{"-c", dir, "-L"}, strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.HasPrefix(errOut.String(), "WARNING: \""+dir+"\" directory does not exist.\nError: ") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestConfigWithoutID: salt-key does not need the master's id, so a config
// without one loads whatever the host is called.
func TestConfigWithoutID(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "master"), []byte("root_dir: "+root+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"-c", conf, "-L", "--out", "json"}, strings.NewReader(""), &out, &errOut)
	if code != 0 || errOut.Len() != 0 || out.String() != "{\n    \"minions\": [],\n    \"minions_pre\": [],\n    \"minions_rejected\": [],\n    \"minions_denied\": []\n}\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	if _, err := os.Stat(filepath.Join(root, "etc", "salt", "pki", "master", "pending")); err != nil {
		t.Errorf("pki_dir not under root_dir: %v", err)
	}
}

func TestColonHex(t *testing.T) {
	if got := pki.ColonHex("767a4b"); got != "76:7a:4b" {
		t.Errorf("ColonHex = %q", got)
	}
}

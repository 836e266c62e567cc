package keep

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

func sampleLocal() *Local {
	return &Local{
		Name: "alpha", UID: 1, HA: HA{"127.0.0.1", 7590}, FQDN: "localhost", PUID: 2,
		AHA: HA{"127.0.0.1", 7590}, Role: "alpha", SigHex: vectorKeys["alpha"].sighex, PriHex: vectorKeys["alpha"].prihex,
	}
}

func sampleRemote(name string) *Remote {
	return &Remote{
		Name: name, UID: 2, FUID: 2, HA: HA{"127.0.0.1", 7591}, FQDN: "localhost", SID: 2,
		Main: boolp(false), Joined: boolp(true), Role: name, Acceptance: acc(raet.Accepted), VerHex: verA, PubHex: pubA,
	}
}

// replaceInFile edits one vector file copy as a test needs.
func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestLoadMissing(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoNever)
	for _, d := range []string{"local", "remote", "role/local", "role/remote"} {
		if st, err := os.Stat(filepath.Join(k.Dir(), d)); err != nil || !st.IsDir() {
			t.Errorf("Open did not make %s: %v", d, err)
		}
	}
	if l, err := k.LoadLocal(); l != nil || err != nil {
		t.Errorf("LoadLocal of an empty keep = %v, %v", l, err)
	}
	if rs, err := k.LoadRemotes(); len(rs) != 0 || err != nil {
		t.Errorf("LoadRemotes of an empty keep = %v, %v", rs, err)
	}
	if a, v, p, err := k.RoleAcceptance("beta"); a != nil || v != "" || p != "" || err != nil {
		t.Errorf("RoleAcceptance of no file = %v %q %q %v", a, v, p, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	if _, err := Open(t.TempDir(), "yaml", raet.AutoNever); err == nil {
		t.Error("kind yaml accepted")
	}
	if _, err := Open(t.TempDir(), KindJSON, 3); err == nil {
		t.Error("auto 3 accepted")
	}
	if _, err := Open("", KindJSON, raet.AutoNever); err == nil {
		t.Error("empty dirpath accepted")
	}
	k, err := Open(t.TempDir(), "", raet.AutoOnce)
	if err != nil || k.Kind() != KindJSON || k.Auto() != raet.AutoOnce {
		t.Errorf("defaults: %v %v", k, err)
	}
}

// A file whose field set is not raet's is deleted and the load says so; the
// other files are untouched.
func TestWrongFieldSetCleared(t *testing.T) {
	cases := []struct {
		name, file, old, new string
		local                bool
	}{
		{"local extra", "local/estate.json", `"role": "alpha"`, `"role": "alpha", "extra": 1`, true},
		{"local missing", "local/estate.json", `"puid": 2,`, ``, true},
		{"remote extra", "remote/estate.beta.json", `"role": "beta"`, `"role": "beta", "allowed": true`, false},
		{"remote missing", "remote/estate.beta.json", `"kind": 0,`, ``, false},
		{"remote empty", "remote/estate.beta.json", ``, ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, testvectors.Path(t, "keep", "json", "main"))
			path := filepath.Join(dir, c.file)
			if c.name == "remote empty" {
				os.WriteFile(path, []byte("{}"), 0o644)
			} else {
				replaceInFile(t, path, c.old, c.new)
			}
			// A second, good remote shows the others still load.
			k, _ := Open(dir, KindJSON, raet.AutoNever)
			if err := k.DumpRemote(sampleRemote("gamma")); err != nil {
				t.Fatal(err)
			}
			var err error
			if c.local {
				var l *Local
				l, err = k.LoadLocal()
				if l != nil {
					t.Errorf("loaded %+v", l)
				}
			} else {
				var rs []*Remote
				rs, err = k.LoadRemotes()
				if len(rs) != 1 || rs[0].Name != "gamma" {
					t.Errorf("remotes %v", rs)
				}
			}
			var fe *FileError
			if !errors.Is(err, ErrCleared) || !errors.As(err, &fe) || fe.Path != path {
				t.Fatalf("err = %v", err)
			}
			if exists(path) {
				t.Error("file not cleared")
			}
			// Role files are never cleared on load.
			for _, f := range []string{"role/local/role.json", "role/remote/role.beta.json"} {
				if !exists(filepath.Join(dir, f)) {
					t.Errorf("%s removed", f)
				}
			}
		})
	}
}

// A wrongly typed value is refused, naming file and field, and the file stays.
func TestWrongTypeRefused(t *testing.T) {
	cases := []struct {
		file, old, new, field string
		key                   bool
	}{
		{"local/estate.json", `"uid": 1`, `"uid": "1"`, "uid", false},
		{"local/estate.json", `7590
  ],
  "iha"`, `"7590"
  ],
  "iha"`, "ha", false},
		{"local/estate.json", `"puid": 2`, `"puid": -1`, "puid", false},
		{"local/estate.json", `"iha": null`, `"iha": ["x"]`, "iha", false},
		{"local/estate.json", `"fqdn": "localhost"`, `"fqdn": null`, "fqdn", false},
		{"role/local/role.json", `"sighex": "7485`, `"sighex": "`, "sighex", true},
		{"role/local/role.json", `"prihex": "b3`, `"prihex": "zz`, "prihex", true},
		{"remote/estate.beta.json", `"sid": 2`, `"sid": 4294967296`, "sid", false},
		{"remote/estate.beta.json", `"joined": true`, `"joined": 1`, "joined", false},
		{"remote/estate.beta.json", `"main": false`, `"main": "no"`, "main", false},
		{"remote/estate.beta.json", `"kind": 0`, `"kind": 1.0`, "kind", false},
		{"remote/estate.beta.json", `"name": "beta"`, `"name": "../../x"`, "name", false},
		{"remote/estate.beta.json", `"role": "beta"`, `"role": "a/b"`, "role", false},
		{"role/remote/role.beta.json", `"acceptance": 1`, `"acceptance": 3`, "acceptance", false},
		{"role/remote/role.beta.json", `"pubhex": "49`, `"pubhex": "`, "pubhex", true},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.field, func(t *testing.T) {
			dir := copyTree(t, testvectors.Path(t, "keep", "json", "main"))
			path := filepath.Join(dir, c.file)
			replaceInFile(t, path, c.old, c.new)
			before, _ := os.ReadFile(path)
			k, _ := Open(dir, KindJSON, raet.AutoNever)
			var err error
			if strings.HasPrefix(c.file, "local") || strings.HasPrefix(c.file, "role/local") {
				var l *Local
				if l, err = k.LoadLocal(); l != nil {
					t.Errorf("loaded %+v", l)
				}
			} else {
				var rs []*Remote
				if rs, err = k.LoadRemotes(); len(rs) != 0 {
					t.Errorf("loaded %+v", rs)
				}
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != path || fe.Field != c.field || !errors.Is(err, ErrMalformed) || errors.Is(err, ErrCleared) {
				t.Fatalf("err = %v", err)
			}
			if c.key != errors.Is(err, raet.ErrKey) {
				t.Errorf("key error %v: %v", c.key, err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("message does not name file and field: %v", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("file changed")
			}
		})
	}
}

func TestUndecodableRefused(t *testing.T) {
	for _, kind := range []Kind{KindJSON, KindMsgpack} {
		k := openTemp(t, kind, raet.AutoNever)
		for _, content := range []string{"", "{", "[1, 2]", "\x92\x01\x02"} {
			os.WriteFile(k.localPath(), []byte(content), 0o644)
			if l, err := k.LoadLocal(); l != nil || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s %q: %v, %v", kind, content, l, err)
			}
			if !exists(k.localPath()) {
				t.Errorf("%s %q: removed", kind, content)
			}
		}
	}
}

// A missing local role file loads as no keys, as the reference's defaults.
func TestLocalWithoutRoleFile(t *testing.T) {
	dir := copyTree(t, testvectors.Path(t, "keep", "json", "main"))
	os.Remove(filepath.Join(dir, "role/local/role.json"))
	k, _ := Open(dir, KindJSON, raet.AutoNever)
	l, err := k.LoadLocal()
	if err != nil || l == nil || l.SigHex != "" || l.PriHex != "" || l.Name != "alpha" {
		t.Fatalf("%+v, %v", l, err)
	}
	if err := k.DumpLocal(l); !errors.Is(err, raet.ErrKey) {
		t.Errorf("dump without keys: %v", err)
	}
}

// Older msgpack-python wrote every string in the raw (str) family without
// str8, and bin where a value was bytes; both read as strings.
func TestMsgpackOldWriters(t *testing.T) {
	k := openTemp(t, KindMsgpack, raet.AutoNever)
	str16 := func(s string) string { return fmt.Sprintf("da%04x%x", len(s), s) }
	fix := func(s string) string { return fmt.Sprintf("%02x%x", 0xa0|len(s), s) }
	bin := func(s string) string { return fmt.Sprintf("c4%02x%x", len(s), s) }
	role := "83" + fix("role") + fix("alpha") + fix("sighex") + str16(vectorKeys["alpha"].sighex) + fix("prihex") + bin(vectorKeys["alpha"].prihex)
	b, _ := hex.DecodeString(role)
	os.WriteFile(k.localRolePath(), b, 0o644)
	l := sampleLocal()
	l.SigHex, l.PriHex = vectorKeys["beta"].sighex, vectorKeys["beta"].prihex
	// Write the estate, then put the old role file back.
	if err := k.DumpLocal(l); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(k.localRolePath(), b, 0o644)
	got, err := k.LoadLocal()
	if err != nil || got.SigHex != vectorKeys["alpha"].sighex || got.PriHex != vectorKeys["alpha"].prihex {
		t.Fatalf("%+v, %v", got, err)
	}
}

func TestHostileNames(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoAlways)
	for _, name := range []string{"", "a b", "../../x", "..", "a/b", `a\b`, "a\nb", "a\x00b", "x..y", "\xff", strings.Repeat("n", 250)} {
		r := sampleRemote(name)
		if err := k.DumpRemote(r); !errors.Is(err, ErrBadName) {
			t.Errorf("name %q: %v", name, err)
		}
		r = sampleRemote("ok")
		r.Role = name
		if err := k.DumpRemote(r); !errors.Is(err, ErrBadName) {
			t.Errorf("role %q: %v", name, err)
		}
		if _, err := k.StatusRole(name, verA, pubA); !errors.Is(err, ErrBadName) {
			t.Errorf("StatusRole %q: %v", name, err)
		}
		if err := k.AcceptRemote(name); !errors.Is(err, ErrBadName) {
			t.Errorf("AcceptRemote %q: %v", name, err)
		}
		if err := k.RemoveRemote(&Remote{Name: name}); !errors.Is(err, ErrBadName) {
			t.Errorf("RemoveRemote %q: %v", name, err)
		}
	}
	// Nothing was written anywhere.
	files := treeFiles(t, filepath.Dir(k.Dir()))
	if len(files) != 0 {
		t.Errorf("files written: %v", keysOf(files))
	}
	// Dots elsewhere are fine (minion ids are often FQDNs).
	r := sampleRemote("minion.example.com")
	if err := k.DumpRemote(r); err != nil {
		t.Fatal(err)
	}
	if rs, err := k.LoadRemotes(); err != nil || len(rs) != 1 || rs[0].Name != "minion.example.com" {
		t.Errorf("%v, %v", rs, err)
	}
}

// Many goroutines dumping the same remotes while others load them: every
// load sees complete files, and no temporary file is left.
func TestConcurrentDumps(t *testing.T) {
	for _, kind := range []Kind{KindJSON, KindMsgpack} {
		k := openTemp(t, kind, raet.AutoAlways)
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					r := sampleRemote(fmt.Sprintf("r%d", i%3))
					r.SID = uint32(g*1000 + i)
					r.FQDN = strings.Repeat("x", g*100+i) // files of many sizes
					if err := k.DumpRemote(r); err != nil {
						errs <- err
					}
				}
			}()
		}
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 40 {
					rs, err := k.LoadRemotes()
					if err != nil {
						errs <- err
					}
					for _, r := range rs {
						if len(r.FQDN) != int(r.SID/1000*100+r.SID%1000) {
							errs <- fmt.Errorf("torn remote: sid %d fqdn %d", r.SID, len(r.FQDN))
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		ents, _ := os.ReadDir(k.remoteDir())
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		ext := string(kind)
		want := []string{"estate.r0." + ext, "estate.r1." + ext, "estate.r2." + ext}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("remote dir holds %v", names)
		}
		ents, _ = os.ReadDir(k.remoteRoleDir())
		if len(ents) != 3 {
			t.Errorf("role dir holds %d files", len(ents))
		}
		if rs, err := k.LoadRemotes(); err != nil || len(rs) != 3 {
			t.Errorf("final load: %v, %v", rs, err)
		}
	}
}

func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	k := openTemp(t, KindJSON, raet.AutoNever)
	if err := k.DumpLocal(sampleLocal()); err != nil {
		t.Fatal(err)
	}
	if err := k.DumpRemote(sampleRemote("beta")); err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{
		k.localRolePath():        0o600,
		k.localPath():            0o644,
		k.remotePath("beta"):     0o644,
		k.remoteRolePath("beta"): 0o644,
	}
	for p, want := range modes {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, st.Mode().Perm(), want, err)
		}
	}
	// An operator's chmod of a public file survives a rewrite; the private
	// file is made private again.
	os.Chmod(k.remotePath("beta"), 0o640)
	os.Chmod(k.localRolePath(), 0o644)
	k.DumpRemote(sampleRemote("beta"))
	k.DumpLocal(sampleLocal())
	if st, _ := os.Stat(k.remotePath("beta")); st.Mode().Perm() != 0o640 {
		t.Errorf("public mode not kept: %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(k.localRolePath()); st.Mode().Perm() != 0o600 {
		t.Errorf("private mode: %v", st.Mode().Perm())
	}
}

// Under umask 000 the keep's directories, which hold the private keys,
// are still 0700, and so are the parents Open has to make.
func TestDirModesIgnoreUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	root := t.TempDir()
	dir := filepath.Join(root, "raet", "web1.example.com_minion")
	k, err := Open(dir, KindJSON, raet.AutoNever)
	if err != nil {
		t.Fatal(err)
	}
	defaultDir(filepath.Join(root, "base"), filepath.Join(root, "alt"), "stack")
	for _, d := range []string{filepath.Join(root, "raet"), k.Dir(), k.localDir(), k.remoteDir(),
		filepath.Dir(k.localRoleDir()), k.localRoleDir(), k.remoteRoleDir(), filepath.Join(root, "base", "stack")} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != dirMode {
			t.Errorf("%s: %v (%v)", d, st.Mode().Perm(), err)
		}
	}
}

func TestRemoveAndClear(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoNever)
	k.DumpLocal(sampleLocal())
	k.DumpRemote(sampleRemote("beta"))
	k.DumpRemote(sampleRemote("gamma"))
	// A msgpack remote beside the json ones: not loaded, but cleared.
	mk, _ := Open(k.Dir(), KindMsgpack, raet.AutoNever)
	mk.DumpRemote(sampleRemote("delta"))
	if rs, err := k.LoadRemotes(); err != nil || len(rs) != 2 {
		t.Errorf("json keep loaded %v, %v", rs, err)
	}

	if err := k.RemoveRemote(&Remote{Name: "beta"}); err != nil {
		t.Fatal(err)
	}
	if exists(k.remotePath("beta")) || !exists(k.remoteRolePath("beta")) {
		t.Error("RemoveRemote: estate should go, role stay")
	}
	if err := k.RemoveRemote(&Remote{Name: "beta"}); err != nil {
		t.Errorf("removing again: %v", err)
	}
	if err := k.RemoveRole("beta"); err != nil || exists(k.remoteRolePath("beta")) {
		t.Errorf("RemoveRole: %v", err)
	}

	if err := k.Clear(); err != nil {
		t.Fatal(err)
	}
	left := keysOf(treeFiles(t, k.Dir()))
	want := []string{"role/remote/role.delta.msgpack", "role/remote/role.gamma.json"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("after Clear: %v", left)
	}
	if err := k.ClearAll(); err != nil {
		t.Fatal(err)
	}
	if left := treeFiles(t, k.Dir()); len(left) != 0 {
		t.Errorf("after ClearAll: %v", keysOf(left))
	}
	if _, err := os.Stat(k.remoteRoleDir()); err != nil {
		t.Errorf("ClearAll removed directories: %v", err)
	}
}

func TestDumpRemoteNullables(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoNever)
	r := sampleRemote("beta")
	r.Main, r.Joined, r.Acceptance, r.VerHex, r.PubHex = nil, nil, nil, "", ""
	r.IHA = &HA{"10.0.0.1", 1}
	r.Natted, r.Dyned = true, []byte("x")
	if err := k.DumpRemote(r); err != nil {
		t.Fatal(err)
	}
	rs, err := k.LoadRemotes()
	if err != nil || len(rs) != 1 {
		t.Fatal(rs, err)
	}
	g := rs[0]
	if g.Main != nil || g.Joined != nil || g.Acceptance != nil || g.VerHex != "" || g.PubHex != "" ||
		*g.IHA != *r.IHA || g.Natted != true || g.Dyned != "x" {
		t.Errorf("%+v", *g)
	}
	b, _ := os.ReadFile(k.remoteRolePath("beta"))
	if want := "{\n  \"role\": \"beta\",\n  \"acceptance\": null,\n  \"verhex\": null,\n  \"pubhex\": null\n}"; string(b) != want {
		t.Errorf("%q", b)
	}
	r.HA.Port = 70000
	if err := k.DumpRemote(r); err == nil {
		t.Error("port 70000 written")
	}
	r.HA.Port, r.VerHex = 1, "abc"
	if err := k.DumpRemote(r); !errors.Is(err, raet.ErrKey) {
		t.Errorf("short verhex: %v", err)
	}
}

// defaultDir, on directories of the test's own (DefaultDir itself would
// create /var/cache/raet/keep when run as root).
func TestDefaultDir(t *testing.T) {
	tmp := t.TempDir()
	base, alt := filepath.Join(tmp, "var", "keep"), filepath.Join(tmp, "home", ".raet", "keep")
	if d := defaultDir(base, alt, "stack"); d != filepath.Join(base, "stack") {
		t.Errorf("creatable base: %s", d)
	}
	if st, err := os.Stat(filepath.Join(base, "stack")); err != nil || !st.IsDir() {
		t.Errorf("base not created: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(base, "stack")); len(ents) != 0 {
		t.Errorf("probe left behind: %v", ents)
	}
	// A base that cannot be created (a file is in the way) falls back.
	blocked := filepath.Join(tmp, "file")
	os.WriteFile(blocked, nil, 0o644)
	if d := defaultDir(filepath.Join(blocked, "keep"), alt, "stack"); d != filepath.Join(alt, "stack") {
		t.Errorf("blocked base: %s", d)
	}
	if os.Geteuid() != 0 {
		// Not writable (root could write anyway).
		ro := filepath.Join(tmp, "ro")
		os.MkdirAll(filepath.Join(ro, "stack"), 0o755)
		os.Chmod(filepath.Join(ro, "stack"), 0o555)
		defer os.Chmod(filepath.Join(ro, "stack"), 0o755)
		if d := defaultDir(ro, alt, "stack"); d != filepath.Join(alt, "stack") {
			t.Errorf("read-only base: %s", d)
		}
	}
}

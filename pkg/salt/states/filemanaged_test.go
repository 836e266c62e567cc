package states

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The expected comments and changes below are those of Salt 3006.3's
// salt-call --local state.single file.managed on the same files.

func modeOf(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestManagedContents(t *testing.T) {
	syscall.Umask(0o022)
	env := testEnv()
	p := filepath.Join(t.TempDir(), "x1")
	r := run(t, env, "file.managed", p, body.Map{{Key: "contents", Value: "hello"}}, true)
	wantRet(t, r, "None", "The file "+p+" is set to be changed"+testNote, `{"newfile":"`+p+`"}`)
	r = run(t, env, "file.managed", p, body.Map{{Key: "contents", Value: "hello"}}, false)
	wantRet(t, r, "True", "File "+p+" updated", `{"diff":"New file"}`)
	if b, _ := os.ReadFile(p); string(b) != "hello\n" || modeOf(t, p) != 0o644 {
		t.Fatalf("file = %q mode %o", b, modeOf(t, p))
	}
	two := body.Map{{Key: "contents", Value: "hello\nworld\n"}}
	diff := `{"diff":"--- \n+++ \n@@ -1 +1,2 @@\n hello\n+world\n"}`
	wantRet(t, run(t, env, "file.managed", p, two, true), "None", "The file "+p+" is set to be changed"+testNote, diff)
	wantRet(t, run(t, env, "file.managed", p, two, false), "True", "File "+p+" updated", diff)
	wantRet(t, run(t, env, "file.managed", p, two, false), "True", "File "+p+" is in the correct state", "{}")
	wantRet(t, run(t, env, "file.managed", p, two, true), "True", "The file "+p+" is in the correct state", "{}")
	withMode := append(two, body.Item{Key: "mode", Value: int64(600)})
	wantRet(t, run(t, env, "file.managed", p, withMode, true), "None", "The file "+p+" is set to be changed"+testNote, `{"mode":"0600"}`)
	wantRet(t, run(t, env, "file.managed", p, withMode, false), "True", "File "+p+" updated", `{"mode":"0600"}`)
	if modeOf(t, p) != 0o600 {
		t.Fatalf("mode %o", modeOf(t, p))
	}
	// A list of lines is joined with newlines.
	r = run(t, env, "file.managed", p, body.Map{{Key: "contents", Value: []any{"a", "b"}}}, false)
	if b, _ := os.ReadFile(p); string(b) != "a\nb\n" {
		t.Fatalf("file = %q", b)
	}
}

func TestManagedNewFileModes(t *testing.T) {
	syscall.Umask(0o022)
	env := testEnv()
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	wantRet(t, run(t, env, "file.managed", a, body.Map{{Key: "contents", Value: "hi"}, {Key: "mode", Value: int64(600)}}, false),
		"True", "File "+a+" updated", `{"diff":"New file"}`)
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("1\n2\n"), 0o600)
	b := filepath.Join(dir, "b")
	wantRet(t, run(t, env, "file.managed", b, body.Map{{Key: "source", Value: src}}, false),
		"True", "File "+b+" updated", `{"diff":"New file","mode":"0644"}`)
	f := filepath.Join(dir, "d", "e", "f")
	wantRet(t, run(t, env, "file.managed", f, body.Map{{Key: "contents", Value: "x"}, {Key: "makedirs", Value: true}, {Key: "mode", Value: int64(640)}}, false),
		"True", "File "+f+" updated", `{"diff":"New file","mode":"0640"}`)
	if m := modeOf(t, filepath.Join(dir, "d", "e")); m != 0o750 {
		t.Errorf("made directory mode %o, want 0750", m)
	}
	wantRet(t, run(t, env, "file.managed", filepath.Join(dir, "nodir", "x"), body.Map{{Key: "contents", Value: "x"}}, false),
		"False", "Parent directory not present", "{}")
	e := filepath.Join(dir, "empty")
	wantRet(t, run(t, env, "file.managed", e, nil, true), "None", "The file "+e+" is set to be changed"+testNote, `{"newfile":"`+e+`"}`)
	wantRet(t, run(t, env, "file.managed", e, nil, false), "True", "Empty file", `{"new":"file `+e+` created"}`)
	wantRet(t, run(t, env, "file.managed", e, nil, false), "True", "File "+e+" exists with proper permissions. No changes made.", "{}")
	wantRet(t, run(t, env, "file.managed", e, body.Map{{Key: "mode", Value: "600"}}, true), "None",
		"File "+e+" will be updated with permissions 0600 from its current state of 0644", `{"mode":"0600"}`)
	wantRet(t, run(t, env, "file.managed", "rel/x", body.Map{{Key: "contents", Value: "x"}}, false),
		"False", "Specified file rel/x is not an absolute path", "{}")
	wantRet(t, run(t, env, "file.managed", dir, body.Map{{Key: "contents", Value: "x"}}, false),
		"False", "Specified target "+dir+" is a directory", "{}")
}

func TestManagedDiffs(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	var old, neu []string
	for i := 1; i <= 20; i++ {
		old = append(old, itoa(i))
		switch i {
		case 5:
			neu = append(neu, "five")
		case 17:
			neu = append(neu, "x")
		default:
			neu = append(neu, itoa(i))
		}
	}
	p := filepath.Join(dir, "b")
	os.WriteFile(p, []byte(strings.Join(old, "\n")+"\n"), 0o644)
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte(strings.Join(neu, "\n")+"\n"), 0o644)
	want := `{"diff":"--- \n+++ \n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -14,7 +14,7 @@\n 14\n 15\n 16\n-17\n+x\n 18\n 19\n 20\n"}`
	wantRet(t, run(t, env, "file.managed", p, body.Map{{Key: "source", Value: src}}, false), "True", "File "+p+" updated", want)

	bin := filepath.Join(dir, "bin")
	os.WriteFile(bin, []byte("a\x00b"), 0o644)
	wantRet(t, run(t, env, "file.managed", bin, body.Map{{Key: "contents", Value: "text"}}, false),
		"True", "File "+bin+" updated", `{"diff":"Replace binary file with text file"}`)
	nn := filepath.Join(dir, "nn")
	os.WriteFile(nn, []byte("no newline"), 0o644)
	wantRet(t, run(t, env, "file.managed", nn, body.Map{{Key: "contents", Value: "no newline\nmore"}}, false),
		"True", "File "+nn+" updated", `{"diff":"--- \n+++ \n@@ -1 +1,2 @@\n-no newline+no newline\n+more\n"}`)
	link := filepath.Join(dir, "link")
	os.Symlink(nn, link)
	wantRet(t, run(t, env, "file.managed", link, body.Map{{Key: "contents", Value: "no newline\nmore"}}, false),
		"True", "File "+link+" is in the correct state", "{}")
}

func itoa(i int) string { return strings.TrimSpace(pyStr(int64(i))) }

func TestManagedTemplate(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	src := filepath.Join(dir, "t.j2")
	os.WriteFile(src, []byte("line1\n{{ grains['id'] }} {{ pillar.get('role', 'none') }} {{ who }}\n"), 0o644)
	p := filepath.Join(dir, "c")
	args := body.Map{{Key: "source", Value: src}, {Key: "template", Value: "jinja"},
		{Key: "defaults", Value: body.Map{{Key: "who", Value: "d"}}}, {Key: "context", Value: body.Map{{Key: "who", Value: "ctx"}}}}
	wantRet(t, run(t, env, "file.managed", p, args, false), "True", "File "+p+" updated", "-")
	if b, _ := os.ReadFile(p); string(b) != "line1\nm1 web ctx\n" {
		t.Fatalf("rendered %q", b)
	}
	wantRet(t, run(t, env, "file.managed", p, args, true), "True", "The file "+p+" is in the correct state", "{}")
	wantRet(t, run(t, env, "file.managed", p, body.Map{{Key: "source", Value: filepath.Join(dir, "nosuch")}}, false),
		"False", "Local file source "+filepath.Join(dir, "nosuch")+" does not exist", "{}")
	wantRet(t, run(t, env, "file.managed", p, body.Map{{Key: "source", Value: src}, {Key: "contents", Value: "x"}}, false),
		"False", "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'", "{}")
	wantRet(t, run(t, env, "file.managed", p, body.Map{{Key: "contents_pillar", Value: "role"}}, false),
		"True", "File "+p+" updated", "-")
	if b, _ := os.ReadFile(p); string(b) != "web\n" {
		t.Fatalf("contents_pillar wrote %q", b)
	}
	wantRet(t, run(t, env, "file.managed", p, body.Map{{Key: "contents_pillar", Value: "nope"}}, false),
		"False", "Pillar nope does not exist", "{}")
}

func TestManagedBackup(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	env.Opts = map[string]any{"cachedir": filepath.Join(dir, "cache")}
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old\n"), 0o640)
	run(t, env, "file.managed", p, body.Map{{Key: "contents", Value: "new"}, {Key: "backup", Value: "minion"}}, false)
	matches, _ := filepath.Glob(filepath.Join(dir, "cache", "file_backup", strings.TrimPrefix(dir, "/"), "f_*"))
	if len(matches) != 1 {
		t.Fatalf("backups %v", matches)
	}
	if b, _ := os.ReadFile(matches[0]); string(b) != "old\n" {
		t.Errorf("backup holds %q", b)
	}
	if modeOf(t, p) != 0o640 {
		t.Errorf("replaced file lost its mode: %o", modeOf(t, p))
	}
}

// file.managed's return keeps Salt's key order, changes, comment, name,
// result, on the success and the error paths alike (as Salt 3006.3's JSON
// of integration/testdata/salt-3006.3-state-*.json shows it).
func TestManagedRetOrder(t *testing.T) {
	env := testEnv()
	p := filepath.Join(t.TempDir(), "x")
	for _, r := range []state.Ret{
		run(t, env, "file.managed", p, body.Map{{Key: "contents", Value: "hello"}}, false),
		run(t, env, "file.managed", "relative", body.Map{{Key: "contents", Value: "hello"}}, false),
	} {
		if strings.Join(r.Order, ",") != "changes,comment,name,result" {
			t.Errorf("%s: Order %v", r.Comment, r.Order)
		}
	}
}

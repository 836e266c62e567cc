package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
)

// fileTree is a temp dir with a file "a" ("hello\n", 0644), a directory
// "d", a symlink "lnk" to a and a dangling symlink "dangling".
func fileTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "a"), "hello\n")
	if err := os.Chmod(filepath.Join(dir, "a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "lnk")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustWrite(t *testing.T, p, text string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The returns of salt-call --local file.* in Salt 3006.3 on the same tree.
func TestFileInfo(t *testing.T) {
	e, dir := New(Options{}), fileTree(t)
	a := filepath.Join(dir, "a")
	wantOK(t, run(e, "file.file_exists", a), true)
	wantOK(t, run(e, "file.file_exists", dir+"/d"), false)
	wantOK(t, run(e, "file.directory_exists", dir+"/d"), true)
	wantOK(t, run(e, "file.is_link", dir+"/lnk"), true)
	wantOK(t, run(e, "file.is_link", a), false)
	wantOK(t, run(e, "file.access", a, "f"), true)
	wantError(t, run(e, "file.access", a, "q"), "ERROR executing 'file.access': Invalid mode specified.")
	wantError(t, run(e, "file.access", "rel", "f"), "ERROR executing 'file.access': Path to link must be absolute.")
	wantOK(t, run(e, "file.get_mode", a), "0644")
	wantError(t, run(e, "file.get_user", dir+"/nope"), "ERROR: Path not found: "+dir+"/nope")
	wantOK(t, run(e, "file.get_hash", a), "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
	wantOK(t, run(e, "file.get_sum", a, "md5"), "b1946ac92492d2347c6235b4d2611184")
	wantOK(t, run(e, "file.get_sum", dir+"/nope"), "File not found")
	wantError(t, run(e, "file.get_hash", a, "form=xyz"), "The minion function caused an exception: ValueError: Invalid hash type: xyz")
	wantError(t, run(e, "file.get_hash", dir+"/nope"),
		"The minion function caused an exception: FileNotFoundError: [Errno 2] No such file or directory: '"+dir+"/nope'")
	wantOK(t, run(e, "file.check_hash", a, "md5:b1946ac92492d2347c6235b4d2611184"), true)
	wantOK(t, run(e, "file.check_hash", a, "b1946ac92492d2347c6235b4d2611185"), false)
	wantError(t, run(e, "file.check_hash", a, "abc"), "ERROR executing 'file.check_hash': Hash abc (length: 3) could not be matched")
	wantOK(t, run(e, "file.read", a), "hello\n")
	wantOK(t, run(e, "file.readlink", dir+"/lnk"), a)
	wantOK(t, run(e, "file.readlink", dir+"/dangling", "canonicalize=True"), dir+"/nowhere")
	wantError(t, run(e, "file.readlink", a), "ERROR executing 'file.readlink': A valid link was not specified: "+a)
}

func TestFileStats(t *testing.T) {
	e, dir := New(Options{}), fileTree(t)
	r := run(e, "file.stats", dir+"/lnk", "md5")
	st, ok := r.Return.(body.Map)
	if !ok {
		t.Fatalf("stats = %#v", r.Return)
	}
	var keys []string
	for _, it := range st {
		keys = append(keys, it.Key)
	}
	if got := strings.Join(keys, " "); got != "inode uid gid group user atime mtime ctime size mode sum type target" {
		t.Errorf("stats keys = %s", got)
	}
	for k, want := range map[string]any{"size": int64(6), "mode": "0644", "type": "file", "target": dir + "/a",
		"sum": "b1946ac92492d2347c6235b4d2611184", "user": "root", "uid": int64(os.Getuid())} {
		if k == "user" && os.Getuid() != 0 {
			continue
		}
		if v, _ := st.Get(k); v != want {
			t.Errorf("stats[%s] = %#v, want %#v", k, v, want)
		}
	}
	st = run(e, "file.stats", dir+"/dangling").Return.(body.Map)
	if typ, _ := st.Get("type"); typ != "link" {
		t.Errorf("dangling link type = %v", typ)
	}
	st = run(e, "file.stats", dir+"/lnk", "follow_symlinks=False").Return.(body.Map)
	if typ, _ := st.Get("type"); typ != "link" {
		t.Errorf("unfollowed link type = %v", typ)
	}
}

func TestFileCreateRemove(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	wantOK(t, run(e, "file.touch", dir+"/t1"), true)
	wantError(t, run(e, "file.touch", dir+"/no/t1"), "ERROR: No such file or directory")
	wantOK(t, run(e, "file.touch", dir+"/t2", "atime=100", "mtime=200"), true)
	if st, _ := os.Stat(dir + "/t2"); !st.ModTime().Equal(time.Unix(200, 0)) {
		t.Errorf("mtime = %v", st.ModTime())
	}
	wantError(t, run(e, "file.touch", dir+"/t3", "atime=abc"), "ERROR executing 'file.touch': atime and mtime must be integers")
	wantOK(t, run(e, "file.remove", dir+"/t2"), true)
	wantOK(t, run(e, "file.remove", dir+"/t2"), false)
	wantError(t, run(e, "file.remove", "rel/t3"), "ERROR executing 'file.remove': File path must be absolute: rel/t3")

	wantOK(t, run(e, "file.mkdir", dir+"/m1/m2", "mode=750"), true)
	for _, d := range []string{"/m1", "/m1/m2"} {
		if st, _ := os.Stat(dir + d); st.Mode().Perm() != 0o750 {
			t.Errorf("%s mode = %v", d, st.Mode())
		}
	}
	wantOK(t, run(e, "file.makedirs", dir+"/k1/k2/f", "mode=700"), nil)
	if !isDirPath(dir+"/k1/k2") || pathExists(dir+"/k1/k2/f") {
		t.Error("makedirs did not make the parents only")
	}
	wantOK(t, run(e, "file.makedirs", dir+"/k1/k2/f"), "Directory '"+dir+"/k1/k2' already exists")
	wantOK(t, run(e, "file.makedirs", dir+"/t1/x"), "The path '"+dir+"/t1' already exists and is not a directory")
	wantOK(t, run(e, "file.remove", dir+"/k1"), true)
	if pathExists(dir + "/k1") {
		t.Error("remove left a directory")
	}
}

func TestFileCopyMove(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	mustWrite(t, dir+"/src", "data\n")
	if err := os.Chmod(dir+"/src", 0o640); err != nil {
		t.Fatal(err)
	}
	wantOK(t, run(e, "file.copy", dir+"/src", dir+"/dst"), true)
	if st, _ := os.Stat(dir + "/dst"); mustRead(t, dir+"/dst") != "data\n" || st.Mode().Perm() != 0o640 {
		t.Errorf("copy: %v", st.Mode())
	}
	if err := os.MkdirAll(dir+"/tree/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, dir+"/tree/sub/f", "f\n")
	wantError(t, run(e, "file.copy", dir+"/tree", dir+"/copy"),
		"ERROR executing 'file.copy': Cannot copy overwriting a directory without recurse flag set to true!")
	wantOK(t, run(e, "file.copy", dir+"/tree", dir+"/copy", "recurse=True"), true)
	if mustRead(t, dir+"/copy/sub/f") != "f\n" {
		t.Error("recursive copy")
	}
	wantError(t, run(e, "file.copy", dir+"/nope", dir+"/x"), "ERROR: No such file or directory '"+dir+"/nope'")

	wantOK(t, run(e, "file.rename", dir+"/dst", dir+"/dst2"), true)
	wantError(t, run(e, "file.rename", dir+"/dst", dir+"/dst2"), "ERROR: Could not rename '"+dir+"/dst' to '"+dir+"/dst2'")
	wantOK(t, run(e, "file.move", dir+"/dst2", dir+"/tree"),
		body.Map{{Key: "result", Value: true}, {Key: "comment", Value: "'" + dir + "/dst2' moved to '" + dir + "/tree'"}})
	if mustRead(t, dir+"/tree/dst2") != "data\n" {
		t.Error("move into a directory")
	}
	wantError(t, run(e, "file.move", dir+"/nope", dir+"/tree"),
		"ERROR: Unable to move '"+dir+"/nope' to '"+dir+"/tree': [Errno 2] No such file or directory: '"+dir+"/nope'")
}

func TestFileSymlinkModeOwner(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	mustWrite(t, dir+"/src", "x")
	l := dir + "/l1"
	wantOK(t, run(e, "file.symlink", dir+"/src", l), true)
	wantOK(t, run(e, "file.symlink", dir+"/src", l), true)
	wantError(t, run(e, "file.symlink", dir+"/other", l), "ERROR: Found existing symlink: "+l)
	wantOK(t, run(e, "file.symlink", dir+"/other", l, "force=True"), true)
	wantError(t, run(e, "file.symlink", dir+"/x", dir+"/src"), "ERROR: Existing path is not a symlink: "+dir+"/src")
	wantOK(t, run(e, "file.symlink", dir+"/y", l, "atomic=True"), true)
	if got, _ := os.Readlink(l); got != dir+"/y" {
		t.Errorf("link = %s", got)
	}
	wantOK(t, run(e, "file.set_mode", dir+"/src", "0600"), "0600")
	wantOK(t, run(e, "file.set_mode", dir+"/src", "999"), "Invalid Mode 999")
	wantError(t, run(e, "file.set_mode", dir+"/nope", "600"), "ERROR: "+dir+"/nope: File not found")
	wantOK(t, run(e, "file.chown", dir+"/src", "nosuchu", "nosuchg"), "User does not exist\nGroup does not exist\n")
	wantOK(t, run(e, "file.chown", dir+"/nope", "", ""), "File not found")
	if os.Getuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	wantOK(t, run(e, "file.chown", dir+"/src", "nobody", "root"), nil)
	wantOK(t, run(e, "file.get_user", dir+"/src"), "nobody")
	wantOK(t, run(e, "file.chgrp", dir+"/src", "nogroup"), nil)
	wantOK(t, run(e, "file.get_group", dir+"/src"), "nogroup")
}

// Lines written, appended and prepended as Salt 3006.3 writes them.
func TestFileWriteLines(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	w := dir + "/w"
	wantOK(t, run(e, "file.write", w, "one", "two"), `Wrote 2 lines to "`+w+`"`)
	wantOK(t, run(e, "file.write", w, "args=solo"), `Wrote 1 lines to "`+w+`"`)
	if got := mustRead(t, w); got != "solo\n" {
		t.Errorf("write: %q", got)
	}
	mustWrite(t, w, "a\nb")
	wantOK(t, run(e, "file.append", w, "c", "d"), `Wrote 2 lines to "`+w+`"`)
	wantOK(t, run(e, "file.prepend", w, "p"), `Prepended 1 lines to "`+w+`"`)
	if got := mustRead(t, w); got != "p\na\nb\nc\nd\n" {
		t.Errorf("append, prepend: %q", got)
	}
	wantError(t, run(e, "file.append", dir+"/nope", "z"),
		"The minion function caused an exception: FileNotFoundError: [Errno 2] No such file or directory: '"+dir+"/nope'")
}

func TestFileSearchReplace(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	p := dir + "/c"
	mustWrite(t, p, "hello world\n  # foo=1\nbar=2\n")
	wantOK(t, run(e, "file.contains", p, " world "), true)
	wantOK(t, run(e, "file.contains", p, "nope"), false)
	wantOK(t, run(e, "file.contains_regex", p, "^foo", "lchar= #"), true)
	wantOK(t, run(e, "file.contains_regex", p, "^foo"), false)
	wantOK(t, run(e, "file.search", p, `pattern=bar=\d`), true)
	wantOK(t, run(e, "file.search", dir+"/nope", "x", "ignore_if_missing=True"), false)
	wantError(t, run(e, "file.search", dir+"/nope", "x"), "ERROR executing 'file.search': File not found: "+dir+"/nope")
	wantOK(t, run(e, "file.replace", p, `pattern=bar=(\d)`, `repl=bar=\1\1`),
		"--- \n+++ \n@@ -1,3 +1,3 @@\n hello world\n   # foo=1\n-bar=2\n+bar=22\n")
	if mustRead(t, p+".bak") != "hello world\n  # foo=1\nbar=2\n" {
		t.Error("replace made no backup")
	}
	wantOK(t, run(e, "file.replace", p, "pattern=bar=22", "repl=bar=22"), "")
	wantOK(t, run(e, "file.replace", p, "pattern=zzz", "repl=yyy", "prepend_if_not_found=True", "not_found_content=first", "show_changes=False"), true)
	wantOK(t, run(e, "file.replace", p, "pattern=HELLO", "repl=bye", "flags=IGNORECASE", "backup=False", "show_changes=False"), true)
	if got := mustRead(t, p); got != "first\nbye world\n  # foo=1\nbar=22\n" {
		t.Errorf("replace: %q", got)
	}
	wantError(t, run(e, "file.replace", p, "pattern=x", "repl=y", "search_only=True", "append_if_not_found=True"),
		"ERROR executing 'file.replace': search_only cannot be used with append/prepend_if_not_found")
}

func TestFileLineAndBlock(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	l := dir + "/l"
	mustWrite(t, l, "line1\nline2\n")
	wantOK(t, run(e, "file.line", l, "content=new", "after=line1", "mode=insert"),
		"--- \n+++ \n@@ -1,2 +1,3 @@\n line1\n+new\n line2\n")
	wantOK(t, run(e, "file.line", l, "content=new", "after=line1", "mode=ensure"), false)
	wantOK(t, run(e, "file.line", l, "match=new", "mode=delete", "show_changes=False"), true)
	wantError(t, run(e, "file.line", l, "content=x", "mode=bogus"), `ERROR: Unknown mode: "bogus"`)
	wantError(t, run(e, "file.line", l, "mode=insert"), `ERROR: Content can only be empty if mode is "delete"`)
	wantOK(t, run(e, "file.line", dir+"/nope", "content=x", "mode=insert", "quiet=True"), false)

	b := dir + "/b"
	mustWrite(t, b, "top\n#-- start managed zone --\nold\n#-- end managed zone --\nend\n")
	wantOK(t, run(e, "file.blockreplace", b, "content=new"),
		"--- \n+++ \n@@ -1,5 +1,4 @@\n top\n #-- start managed zone --\n-old\n-#-- end managed zone --\n+new#-- end managed zone --\n end\n")
	wantOK(t, run(e, "file.blockreplace", b, "marker_start=S", "marker_end=E", "content=x", "append_if_not_found=True",
		"backup=False", "show_changes=False"), true)
	if got := mustRead(t, b); got != "top\n#-- start managed zone --\nnew#-- end managed zone --\nend\nS\nxE\n" {
		t.Errorf("blockreplace: %q", got)
	}
	wantError(t, run(e, "file.blockreplace", b, "marker_start=S2", "marker_end=E2"),
		"ERROR: Cannot edit marked block. Markers were not found in file.")
}

func TestFileCommentSed(t *testing.T) {
	e, dir := New(Options{}), t.TempDir()
	p := dir + "/cm"
	mustWrite(t, p, "foo=1\n#bar=2\n  baz\n")
	wantOK(t, run(e, "file.comment_line", p, "^foo"), "--- \n+++ \n@@ -1 +1 @@\n-foo=1\n+#foo=1\n")
	wantOK(t, run(e, "file.uncomment", p, "bar"), "--- \n+++ \n@@ -1 +1 @@\n-#bar=2\n+bar=2\n")
	wantOK(t, run(e, "file.comment_line", p, "nomatch"), false)
	if got := mustRead(t, p); got != "#foo=1\nbar=2\n  baz\n" {
		t.Errorf("comment_line: %q", got)
	}
	s := dir + "/s"
	mustWrite(t, s, "alpha beta\ngamma\n")
	r := run(e, "file.sed", s, "a(l|m)", `X\1`)
	if m, ok := r.Return.(body.Map); !ok || r.Retcode != 0 || mustRead(t, s) != "Xlpha beta\ngXmma\n" || mustRead(t, s+".bak") != "alpha beta\ngamma\n" {
		t.Fatalf("sed: %#v, %q", r.Return, mustRead(t, s))
	} else if rc, _ := m.Get("retcode"); rc != 0 {
		t.Errorf("sed retcode %v", rc)
	}
	wantOK(t, run(e, "file.sed", dir+"/nope", "a", "b"), false)
	p = dir + "/p"
	mustWrite(t, p, "one two\nthree two\n")
	wantOK(t, run(e, "file.psed", p, "two", "2"), nil)
	wantOK(t, run(e, "file.psed", p, `^(\w+)`, `<\1>`, "flags=M"), nil)
	if got := mustRead(t, p); got != "<one> 2\nthree 2\n" {
		t.Errorf("psed: %q", got)
	}
}

func TestFileFind(t *testing.T) {
	e, x := New(Options{}), t.TempDir()
	for _, d := range []string{"/sub/deep"} {
		if err := os.MkdirAll(x+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, text := range map[string]string{"/a.txt": "aaa\n", "/B.TXT": "bbbbbbbbbb\n", "/sub/g.log": "grepme\n", "/sub/old.txt": "", "/sub/deep/d.txt": "x\n"} {
		mustWrite(t, x+p, text)
	}
	old := time.Now().Add(-10 * 24 * time.Hour)
	if err := os.Chtimes(x+"/sub/old.txt", old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(x+"/sub", x+"/lsub"); err != nil {
		t.Fatal(err)
	}
	paths := func(ps ...string) []any {
		out := []any{}
		for _, p := range ps {
			out = append(out, x+p)
		}
		return out
	}
	wantOK(t, run(e, "file.find", x, "name=*.txt"), paths("/a.txt", "/sub/deep/d.txt", "/sub/old.txt"))
	wantOK(t, run(e, "file.find", x, "iname=*.txt"), paths("/B.TXT", "/a.txt", "/sub/deep/d.txt", "/sub/old.txt"))
	wantOK(t, run(e, "file.find", x, "type=d"), paths("", "/lsub", "/sub", "/sub/deep"))
	wantOK(t, run(e, "file.find", x, "maxdepth=1"), paths("", "/B.TXT", "/a.txt", "/lsub", "/sub"))
	wantOK(t, run(e, "file.find", x, "mindepth=2", "maxdepth=2"), paths("/sub/deep", "/sub/g.log", "/sub/old.txt"))
	wantOK(t, run(e, "file.find", x, "grep=grepme"), paths("/sub/g.log"))
	wantOK(t, run(e, "file.find", x, "size=-5b", "type=f"), paths("/a.txt", "/sub/deep/d.txt", "/sub/old.txt"))
	wantOK(t, run(e, "file.find", x, "mtime=+5d"), paths("/sub/old.txt"))
	wantOK(t, run(e, "file.find", x, "type=f", "name=a.txt", "print=name,size,type,mode,md5"),
		[]any{[]any{"a.txt", int64(4), "f", int64(0o644), "5c9597f3c8245907ea71a89d9d39d08e"}})
	wantOK(t, run(e, "file.find", x, "bogus=1"), `error: invalid option "bogus"`)
	wantOK(t, run(e, "file.find", x, "type=q"), `error: invalid file type "q"`)
	wantError(t, run(e, "file.find", x, "size=5"), "The minion function caused an exception: AttributeError: 'int' object has no attribute 'strip'")
	mustWrite(t, x+"/.hidden.txt", "")
	wantOK(t, run(e, "file.find", x+"/*.txt"), paths("/a.txt"))
	wantOK(t, run(e, "file.find", x+"/.*.txt"), paths("/.hidden.txt"))
	wantOK(t, run(e, "file.find", x, "name=d.txt", "delete"), paths("/sub/deep/d.txt"))
	if pathExists(x + "/sub/deep/d.txt") {
		t.Error("find delete left the file")
	}
	wantOK(t, run(e, "file.diskusage", x), int64(22))
	wantOK(t, run(e, "file.diskusage", x+"/a.txt"), int64(4))
}

func TestFileBackups(t *testing.T) {
	cache, x := t.TempDir(), t.TempDir()
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: cache}}})
	f := x + "/f"
	mustWrite(t, f, "v3\n")
	bkdir := filepath.Join(cache, "file_backup", x)
	if err := os.MkdirAll(bkdir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, bkdir+"/f_Mon_Dec_07_05:00:00_000001_2026", "v1\n")
	mustWrite(t, bkdir+"/f_Mon_Dec_07_06:00:00_123456_2026", "v22\n")
	mustWrite(t, bkdir+"/f_junk", "junk")
	entry := func(stamp, shown string, size int64) body.Map {
		return body.Map{{Key: "Backup Time", Value: shown}, {Key: "Size", Value: size}, {Key: "Location", Value: bkdir + "/f_" + stamp}}
	}
	wantOK(t, run(e, "file.list_backups", f), body.Map{
		{Key: "0", Value: entry("Mon_Dec_07_06:00:00_123456_2026", "Mon Dec 07 2026 06:00:00.123456", 4)},
		{Key: "1", Value: entry("Mon_Dec_07_05:00:00_000001_2026", "Mon Dec 07 2026 05:00:00.000001", 3)}})
	wantOK(t, run(e, "file.list_backups", f, "limit=1"), body.Map{
		{Key: "0", Value: entry("Mon_Dec_07_06:00:00_123456_2026", "Mon Dec 07 2026 06:00:00.123456", 4)}})
	wantOK(t, run(e, "file.list_backups", x+"/none"), body.Map{})
	r := run(e, "file.restore_backup", f, "5")
	if c, _ := r.Return.(body.Map).Get("comment"); c != "backup_id '5' does not exist for "+f || r.Retcode != 1 {
		t.Errorf("restore 5: %#v", r)
	}
	wantOK(t, run(e, "file.restore_backup", f, "1"), body.Map{{Key: "result", Value: true},
		{Key: "comment", Value: "Successfully restored " + bkdir + "/f_Mon_Dec_07_05:00:00_000001_2026 to " + f}})
	if got := mustRead(t, f); got != "v1\n" {
		t.Errorf("restored %q", got)
	}
	if l := run(e, "file.list_backups", f).Return.(body.Map); len(l) != 3 {
		t.Errorf("restore made no backup of the file it replaced: %v", l)
	}
}

// manage_file as the file states call it, and as salt-call --local of Salt
// 3006.3 returns it for the same calls.
func TestFileManageFile(t *testing.T) {
	cache, x := t.TempDir(), t.TempDir()
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: cache}}})
	mustWrite(t, x+"/src", "new content\n")
	mustWrite(t, x+"/exist", "old\n")
	// manage_file(name, sfn, ret, source, source_sum, user, group, mode,
	// attrs, saltenv, backup, ...)
	none := func(name, source string, mode any, backup string, more ...any) Result {
		return run(e, "file.manage_file", append([]any{name, "", body.Map{}, source, body.Map{}, nil, nil, mode, nil, "base", backup}, more...)...)
	}
	ret := func(name, comment string, result bool, changes body.Map) body.Map {
		return body.Map{{Key: "name", Value: name}, {Key: "changes", Value: changes}, {Key: "comment", Value: comment}, {Key: "result", Value: result}}
	}
	wantOK(t, none(x+"/exist", x+"/src", "0644", "minion"), ret(x+"/exist", "File "+x+"/exist updated", true,
		body.Map{{Key: "diff", Value: "--- \n+++ \n@@ -1 +1 @@\n-old\n+new content\n"}}))
	if mustRead(t, x+"/exist") != "new content\n" {
		t.Error("manage_file did not write the source")
	}
	if l := run(e, "file.list_backups", x+"/exist").Return.(body.Map); len(l) != 1 {
		t.Errorf("backup minion kept %d copies", len(l))
	}
	wantOK(t, none(x+"/exist", x+"/src", "0600", ""), ret(x+"/exist", "File "+x+"/exist updated", true, body.Map{{Key: "mode", Value: "0600"}}))
	wantOK(t, none(x+"/exist", x+"/src", "0600", ""), ret(x+"/exist", "File "+x+"/exist is in the correct state", true, body.Map{}))
	wantOK(t, none(x+"/empty", "", "0600", ""), ret(x+"/empty", "Empty file", true, body.Map{{Key: "new", Value: "file " + x + "/empty created"}}))
	wantOK(t, none(x+"/c", "", nil, "", "contents=hello"), ret(x+"/c", "File "+x+"/c updated", true, body.Map{{Key: "diff", Value: "New file"}}))
	if mustRead(t, x+"/c") != "hello" {
		t.Error("contents not written")
	}
	r := none(x+"/sub/deep/f", x+"/src", "0640", "")
	if c, _ := r.Return.(body.Map).Get("comment"); c != "Parent directory not present" || r.Retcode != 1 {
		t.Errorf("no makedirs: %#v", r)
	}
	wantOK(t, none(x+"/sub/deep/f", x+"/src", "0640", "", "makedirs=True"), ret(x+"/sub/deep/f", "File "+x+"/sub/deep/f updated", true,
		body.Map{{Key: "diff", Value: "New file"}, {Key: "mode", Value: "0640"}}))
	if st, _ := os.Stat(x + "/sub"); st.Mode().Perm() != 0o750 {
		t.Errorf("dir_mode from mode: %v", st.Mode())
	}
	wantError(t, none(x+"/nf", x+"/nope", nil, ""),
		"The minion function caused an exception: FileNotFoundError: [Errno 2] No such file or directory: '"+x+"/nope'")
}

// A salt:// source is fetched through the file client.
func TestFileManageFileSaltSource(t *testing.T) {
	e, _, _ := cpEnv(t, Options{})
	dest := t.TempDir() + "/index.html"
	r := run(e, "file.manage_file", dest, "", body.Map{}, "salt://web/index.html", body.Map{}, nil, nil, "0644", nil, "base", "")
	if got := mustRead(t, dest); got != "hi\n" || r.Retcode != 0 {
		t.Fatalf("manage_file salt://: %#v, %q", r.Return, got)
	}
	r = run(e, "file.manage_file", dest+"2", "", body.Map{}, "salt://nope", body.Map{}, nil, nil, nil, nil, "base", "")
	if c, _ := r.Return.(body.Map).Get("comment"); c != "Source file 'salt://nope' not found" {
		t.Errorf("missing source: %#v", r.Return)
	}
}

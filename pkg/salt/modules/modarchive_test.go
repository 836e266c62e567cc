package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestArchive: zip a tree, list it, unzip it elsewhere, tar it with
// tar(1) and list that; the returns are those Salt 3006.3 gave for the
// same tree (compared by hand).
func TestArchive(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "d", "e"), 0o755)
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("a\n"), 0o600)
	os.WriteFile(filepath.Join(src, "d", "b.txt"), []byte("b\n"), 0o644)
	os.WriteFile(filepath.Join(src, "d", "e", "c.txt"), []byte("c\n"), 0o644)
	os.Symlink("a.txt", filepath.Join(src, "l"))
	e := New(Options{})
	zipFile := filepath.Join(dir, "x.zip")

	wantOK(t, run(e, "archive.zip", zipFile, "d,a.txt", kw("cwd", src)), []any{"d/", "d/b.txt", "d/e/", "d/e/c.txt", "a.txt"})
	wantError(t, run(e, "archive.zip", zipFile, "d"), "ERROR executing 'archive.zip': Relative paths require the 'cwd' parameter")
	wantOK(t, run(e, "archive.list", zipFile), []any{"a.txt", "d/", "d/b.txt", "d/e/", "d/e/c.txt"})
	wantOK(t, run(e, "archive.list", zipFile, kw("verbose", true)), body.Map{
		{Key: "dirs", Value: []any{"d/", "d/e/"}}, {Key: "files", Value: []any{"a.txt", "d/b.txt", "d/e/c.txt"}},
		{Key: "links", Value: []any{}}, {Key: "top_level_dirs", Value: []any{"d/"}},
		{Key: "top_level_files", Value: []any{"a.txt"}}, {Key: "top_level_links", Value: []any{}}})

	out := filepath.Join(dir, "out")
	wantOK(t, run(e, "archive.unzip", zipFile, out, kw("excludes", "a.txt")), []any{"d/", "d/b.txt", "d/e/", "d/e/c.txt"})
	if b, err := os.ReadFile(filepath.Join(out, "d", "e", "c.txt")); err != nil || string(b) != "c\n" {
		t.Errorf("unzipped c.txt = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(out, "a.txt")); !os.IsNotExist(err) {
		t.Errorf("an excluded member was extracted: %v", err)
	}
	wantOK(t, run(e, "archive.unzip", zipFile, filepath.Join(dir, "out2"), kw("trim_output", 2)), []any{"d/", "d/b.txt", "List trimmed after 2 files."})
	if st, err := os.Stat(filepath.Join(dir, "out2", "a.txt")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("a.txt's mode was not kept: %v %v", st, err)
	}

	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("no tar here")
	}
	tgz := filepath.Join(dir, "x.tgz")
	wantOK(t, run(e, "archive.tar", "czf", tgz, "src", kw("cwd", dir)), []any{})
	wantOK(t, run(e, "archive.list", tgz, kw("verbose", true, "strip_components", 1)), body.Map{
		{Key: "dirs", Value: []any{"d/", "d/e/"}}, {Key: "files", Value: []any{"a.txt", "d/b.txt", "d/e/c.txt"}},
		{Key: "links", Value: []any{"l"}}, {Key: "top_level_dirs", Value: []any{"d/"}},
		{Key: "top_level_files", Value: []any{"a.txt"}}, {Key: "top_level_links", Value: []any{"l"}}})
	wantError(t, run(e, "archive.tar", "", tgz), "ERROR executing 'archive.tar': Tar options can not be empty")
	wantError(t, run(e, "archive.list", filepath.Join(src, "a.txt")), "ERROR: Unable to guess archive format, please pass an 'archive_format' argument.")
	wantError(t, run(e, "archive.tar", "czf", tgz, kw("runas", "nobody")), "ERROR executing 'archive.tar': runas is not supported")
}

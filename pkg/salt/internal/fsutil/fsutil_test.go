package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const prefix = ".test-tmp-"

func read(t *testing.T, path string) (string, os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), fi.Mode().Perm()
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFile(t *testing.T) { checkWriteFile(t) }

// checkWriteFile writes, replaces and refuses to replace, leaving no
// temporary file.
func checkWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteFile(dir, "f", []byte("one"), WriteOptions{Mode: 0o640, TempPrefix: prefix}); err != nil {
		t.Fatal(err)
	}
	if s, m := read(t, path); s != "one" || m != 0o640 {
		t.Errorf("wrote %q mode %v", s, m)
	}
	// Replacing is the default; the mode is the new one.
	if err := WriteFile(dir, "f", []byte("two"), WriteOptions{Mode: 0o600, TempPrefix: prefix}); err != nil {
		t.Fatal(err)
	}
	if s, m := read(t, path); s != "two" || m != 0o600 {
		t.Errorf("replaced with %q mode %v", s, m)
	}
	// NoReplace leaves the file alone.
	err := WriteFile(dir, "f", []byte("three"), WriteOptions{Mode: 0o600, TempPrefix: prefix, NoReplace: true})
	if !errors.Is(err, ErrExist) {
		t.Errorf("no-replace write over an existing file = %v", err)
	}
	if s, _ := read(t, path); s != "two" {
		t.Errorf("no-replace write changed the file to %q", s)
	}
	if err := WriteFile(dir, "g", nil, WriteOptions{Mode: 0o600, TempPrefix: prefix, NoReplace: true}); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); strings.Join(got, " ") != "f g" {
		t.Errorf("files: %v", got)
	}
}

// Prepare sees the written file before it has its name, and its failure
// leaves nothing behind.
func TestWriteFilePrepare(t *testing.T) {
	dir := t.TempDir()
	var seen string
	err := WriteFile(dir, "f", []byte("data"), WriteOptions{Mode: 0o400, TempPrefix: prefix, Prepare: func(f *os.File) error {
		seen = filepath.Base(f.Name())
		if _, err := os.Stat(filepath.Join(dir, "f")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("f exists before Prepare returned: %v", err)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(seen, prefix+"f-") {
		t.Errorf("Prepare saw %q, want a temporary file", seen)
	}
	if s, m := read(t, filepath.Join(dir, "f")); s != "data" || m != 0o400 {
		t.Errorf("wrote %q mode %v", s, m)
	}
	boom := errors.New("boom")
	err = WriteFile(dir, "g", []byte("data"), WriteOptions{Mode: 0o600, TempPrefix: prefix, Prepare: func(*os.File) error { return boom }})
	if !errors.Is(err, boom) {
		t.Errorf("WriteFile with a failing Prepare = %v", err)
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "f" {
		t.Errorf("files left: %v", got)
	}
}

func TestWriteFileFailures(t *testing.T) {
	dir := t.TempDir()
	// A rename onto a non-empty directory fails and leaves nothing behind.
	os.MkdirAll(filepath.Join(dir, "g", "x"), 0o700)
	if err := WriteFile(dir, "g", []byte("data"), WriteOptions{Mode: 0o600, TempPrefix: prefix}); err == nil {
		t.Error("write over a non-empty directory succeeded")
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "g" {
		t.Errorf("files left: %v", got)
	}
	if err := WriteFile(filepath.Join(dir, "missing"), "f", nil, WriteOptions{Mode: 0o600, TempPrefix: prefix}); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
	if err := SyncDir(dir); err != nil {
		t.Error(err)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	for _, n := range []string{prefix + "stale", prefix + "fresh", "kept", ".other-tmp-x"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(filepath.Join(dir, prefix+"stale"), old, old)
	os.Chtimes(filepath.Join(dir, ".other-tmp-x"), old, old)
	os.Mkdir(filepath.Join(dir, prefix+"dir"), 0o700) // not a file: left alone
	os.Chtimes(filepath.Join(dir, prefix+"dir"), old, old)

	RemoveStaleTemps(dir, prefix, time.Hour)
	if got, want := strings.Join(names(t, dir), " "), ".other-tmp-x .test-tmp-dir .test-tmp-fresh kept"; got != want {
		t.Errorf("after removing stale temps: %s, want %s", got, want)
	}
	RemoveStaleTemps(dir, prefix, 0)
	if got, want := strings.Join(names(t, dir), " "), ".other-tmp-x .test-tmp-dir kept"; got != want {
		t.Errorf("after removing all temps: %s, want %s", got, want)
	}
	RemoveStaleTemps(filepath.Join(dir, "missing"), prefix, 0) // no panic, nothing to do
}

func TestNameProblem(t *testing.T) {
	for name, want := range map[string]string{
		"web1": "", "web1.example.org": "", "a..b": "", "x.": "", "日本": "", "a b": "",
		"": "empty", "a/b": "contains '/', '\\' or NUL", `a\b`: "contains '/', '\\' or NUL",
		"a\x00": "contains '/', '\\' or NUL", "../x": "contains '/', '\\' or NUL",
		".": "starts with '.'", "..": "starts with '.'", ".hidden": "starts with '.'",
		prefix + "x": "starts with '.'",
	} {
		if got := NameProblem(name); got != want {
			t.Errorf("NameProblem(%q) = %q, want %q", name, got, want)
		}
	}
}

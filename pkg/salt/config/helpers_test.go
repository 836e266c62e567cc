package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// testLoader never touches the host: its hostname and user are fixed.
var testLoader = Loader{
	Hostname: func() (string, error) { return "web1.example.com", nil },
	User:     func() (string, error) { return "salty", nil },
}

// write creates a file (and its directories) under a test's temp dir.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadMaster(t *testing.T, dir string) *Master {
	t.Helper()
	m, err := testLoader.LoadMaster(dir)
	if err != nil {
		t.Fatalf("LoadMaster(%s): %v", dir, err)
	}
	return m
}

func loadMinion(t *testing.T, dir string) *Minion {
	t.Helper()
	m, err := testLoader.LoadMinion(dir)
	if err != nil {
		t.Fatalf("LoadMinion(%s): %v", dir, err)
	}
	return m
}

// masterConf writes <dir>/master and loads it.
func masterConf(t *testing.T, content string) *Master {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), content)
	return loadMaster(t, dir)
}

// minionConf writes <dir>/minion and loads it.
func minionConf(t *testing.T, content string) *Minion {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), content)
	return loadMinion(t, dir)
}

// masterError writes <dir>/master, expects the load to fail and returns the
// error text with the temp dir replaced by "DIR".
func masterError(t *testing.T, content string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), content)
	_, err := testLoader.LoadMaster(dir)
	if err == nil {
		t.Fatalf("LoadMaster accepted:\n%s", content)
	}
	return relative(dir, err.Error()), err
}

func minionError(t *testing.T, content string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), content)
	_, err := testLoader.LoadMinion(dir)
	if err == nil {
		t.Fatalf("LoadMinion accepted:\n%s", content)
	}
	return relative(dir, err.Error()), err
}

func relative(dir, s string) string {
	out := []byte{}
	for i := 0; i < len(s); {
		if len(s)-i >= len(dir) && s[i:i+len(dir)] == dir {
			out = append(out, "DIR"...)
			i += len(dir)
			continue
		}
		out = append(out, s[i])
		i++
	}
	return string(out)
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v (%T) is not a *config.Error", err, err)
	}
	return e
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

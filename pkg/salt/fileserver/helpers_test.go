package fileserver

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/testutil"
)

// tree is a file_roots tree in a temp dir:
//
//	outside/secret                 the master's secret, outside every root
//	base1/top.sls, a/b.txt, a/empty/, dup.txt ("first"), x.pyc, .svn/entries
//	base1/link_in -> a/b.txt, link_dir -> a, link_out -> ../outside/secret,
//	base1/dir_out -> ../outside, abs_out -> <dir>/outside/secret, loop -> .
//	base2/dup.txt ("second"), only2.txt
//	prod/p.txt
type tree struct {
	dir                       string
	base1, base2, prod, outer string
}

func newTree(t testing.TB) *tree {
	t.Helper()
	dir := t.TempDir()
	tr := &tree{dir: dir, base1: filepath.Join(dir, "base1"), base2: filepath.Join(dir, "base2"),
		prod: filepath.Join(dir, "prod"), outer: filepath.Join(dir, "outside")}
	files := map[string]string{
		"outside/secret":      "TOP SECRET",
		"base1/top.sls":       "base:\n  '*': []\n",
		"base1/a/b.txt":       "bee",
		"base1/dup.txt":       "first",
		"base1/x.pyc":         "compiled",
		"base1/.svn/entries":  "svn",
		"base2/dup.txt":       "second",
		"base2/only2.txt":     "only in base2",
		"prod/p.txt":          "prod file",
		"envs/dev/d.txt":      "dev file",
		"base1/sub/deep/f.sh": "#!/bin/sh\n",
	}
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	mkdir(t, filepath.Join(tr.base1, "a", "empty"))
	for link, target := range map[string]string{
		"link_in":  "a/b.txt",
		"link_dir": "a",
		"link_out": "../outside/secret",
		"dir_out":  "../outside",
		"abs_out":  filepath.Join(tr.outer, "secret"),
		"loop":     ".",
		"dangling": "nowhere",
	} {
		if err := os.Symlink(target, filepath.Join(tr.base1, link)); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func (tr *tree) roots() map[string][]string {
	return map[string][]string{"base": {tr.base1, tr.base2}, "prod": {tr.prod}}
}

func (tr *tree) server(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Roots == nil {
		o.Roots = tr.roots()
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func write(t testing.TB, path, text string) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// logTo is a logger writing to a buffer the test reads.
func logTo() (logrus.FieldLogger, *testutil.SyncBuffer) {
	buf := &testutil.SyncBuffer{}
	l := logrus.New()
	l.SetOutput(buf)
	l.SetLevel(logrus.DebugLevel)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true, DisableColors: true})
	return l, buf
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

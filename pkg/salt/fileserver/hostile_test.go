package fileserver

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// checkNeverOutside asks for path in saltenv every way a minion can and
// fails if anything outside the roots comes back: Find's real path must be
// under the real path of a root, and no chunk may hold the secret.
func checkNeverOutside(t testing.TB, s *Server, tr *tree, saltenv, path string) {
	abs, err := s.Find(saltenv, path)
	if err == nil {
		ok := false
		for _, r := range []string{tr.base1, tr.base2, tr.prod} {
			real, _ := filepath.EvalSymlinks(r)
			if within(real, abs) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("Find(%q, %q) = %q, outside the roots", saltenv, path, abs)
		}
	}
	ret, _ := s.Serve(protocol.CmdServeFile, protocol.ServeFileLoad(protocol.ServeFile{Path: path, Saltenv: saltenv}))
	c, err := protocol.ParseFileChunk(ret)
	if err != nil {
		t.Fatalf("serve %q: %v", path, err)
	}
	if bytes.Contains(c.Data, []byte("TOP SECRET")) {
		t.Fatalf("serve(%q, %q) gave the secret", saltenv, path)
	}
	if _, _, err := s.Hash(saltenv, path); err == nil && strings.Contains(path, "secret") {
		if a, _ := s.Find(saltenv, path); strings.HasPrefix(a, tr.outer) {
			t.Fatalf("hash of %q reached %s", path, a)
		}
	}
}

// TestHostilePathsProperty tries every path of up to three components
// drawn from the ones that have led file servers astray, each alone, with a
// leading slash, and with a saltenv query.
func TestHostilePathsProperty(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{})
	parts := []string{"..", ".", "", "a", "b.txt", "link_out", "dir_out", "abs_out", "loop", "link_dir",
		"secret", "outside", "\x00", "...", tr.outer}
	var paths []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		if n == 0 {
			return
		}
		for _, p := range parts {
			next := p
			if prefix != "" {
				next = prefix + "/" + p
			}
			paths = append(paths, next, "/"+next, next+"?saltenv=prod", "|"+next)
			gen(next, n-1)
		}
	}
	gen("", 3)
	for _, p := range paths {
		for _, env := range []string{"base", "prod", "..", "nope"} {
			checkNeverOutside(t, s, tr, env, p)
		}
	}
	t.Logf("%d paths tried", len(paths))
}

// FuzzHostilePath: whatever the path and saltenv, nothing outside the roots
// is found or served.
func FuzzHostilePath(f *testing.F) {
	for _, seed := range []string{"../outside/secret", "link_out", "dir_out/secret", "a/../../outside/secret",
		"/etc/passwd", "loop/loop/link_out", "link_dir/../link_out", "a\x00", "p.txt?saltenv=../outside"} {
		f.Add("base", seed)
	}
	f.Add("../outside", "secret")
	tr := newTree(f)
	s, err := New(Options{Roots: map[string][]string{"base": {tr.base1, tr.base2}, "prod": {tr.prod},
		"__env__": {filepath.Join(tr.dir, "envs", "__env__")}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, saltenv, path string) {
		checkNeverOutside(t, s, tr, saltenv, path)
	})
}

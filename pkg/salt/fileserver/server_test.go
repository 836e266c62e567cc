package fileserver

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

func TestNewRefusesWhatItCannotServe(t *testing.T) {
	for name, o := range map[string]Options{
		"gitfs":     {Backends: []string{"roots", "gitfs"}},
		"hash":      {HashType: "blake2"},
		"regex":     {IgnoreRegex: []string{"(unclosed"}},
		"lookahead": {IgnoreRegex: []string{"a(?=b)"}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
	s, err := New(Options{Backends: []string{"roots"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "default hash", s.HashType(), "sha256")
	eq(t, "default buffer", s.BufferSize(), DefaultBufferSize)
	eq(t, "default top merging", s.TopFileMergingStrategy(), "merge")
}

func TestFindFirstRootWins(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{})
	for _, c := range []struct{ env, path, want string }{
		{"base", "dup.txt", filepath.Join(tr.base1, "dup.txt")},
		{"base", "only2.txt", filepath.Join(tr.base2, "only2.txt")},
		{"base", "a//./b.txt", filepath.Join(tr.base1, "a", "b.txt")},
		{"base", "link_in", filepath.Join(tr.base1, "a", "b.txt")},
		{"base", "link_dir/b.txt", filepath.Join(tr.base1, "a", "b.txt")},
		{"prod", "p.txt", filepath.Join(tr.prod, "p.txt")},
		{"base", "p.txt?saltenv=prod", filepath.Join(tr.prod, "p.txt")},
	} {
		got, err := s.Find(c.env, c.path)
		if err != nil || got != c.want {
			t.Errorf("Find(%q, %q) = %q, %v; want %q", c.env, c.path, got, err, c.want)
		}
	}
	for _, c := range []struct{ env, path string }{
		{"base", "p.txt"}, {"prod", "dup.txt"}, {"nope", "dup.txt"}, {"base", "a"},
		{"base", "dangling"}, {"base", "missing"}, {"base", "|p.txt?saltenv=prod"},
	} {
		if _, err := s.Find(c.env, c.path); !errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%q, %q): err %v, want ErrNotFound", c.env, c.path, err)
		}
	}
}

func TestFindRefusesPathsOutOfTheRoots(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{})
	for _, p := range []string{
		"../outside/secret", "a/../../outside/secret", "a/../b.txt", "..", "/etc/passwd",
		filepath.Join(tr.outer, "secret"), "a\x00b", "", ".", "./", "link_out", "dir_out/secret",
		"abs_out", "loop/../outside/secret",
	} {
		_, err := s.Find("base", p)
		var r *RefusedError
		if !errors.As(err, &r) || !errors.Is(err, ErrRefused) {
			t.Errorf("Find(base, %q): err %v, want a refusal", p, err)
		}
	}
}

func TestEnvWildcard(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{Roots: map[string][]string{
		"base":    {tr.base1},
		"__env__": {filepath.Join(tr.dir, "envs", "__env__")},
	}})
	got, err := s.Find("dev", "d.txt")
	eq(t, "dev file", got, filepath.Join(tr.dir, "envs", "dev", "d.txt"))
	eq(t, "err", err, nil)
	eq(t, "dev list", s.FileList("dev", ""), []string{"d.txt"})
	for _, env := range []string{"..", "../prod", "a/b", "x\x00"} {
		if _, err := s.Find(env, "p.txt"); !errors.Is(err, ErrRefused) {
			t.Errorf("saltenv %q: err %v, want a refusal", env, err)
		}
		eq(t, "list of "+env, s.FileList(env, ""), []string{})
	}
	eq(t, "envs", s.Envs(), []string{"__env__", "base"})
}

func TestLists(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{})
	eq(t, "files", s.FileList("base", ""), []string{
		".svn/entries", "a/b.txt", "dup.txt", "link_dir/b.txt", "link_in", "only2.txt",
		"sub/deep/f.sh", "top.sls", "x.pyc",
	})
	eq(t, "dirs", s.DirList("base", ""), []string{".svn", "a", "a/empty", "link_dir", "link_dir/empty", "loop", "sub", "sub/deep"})
	eq(t, "empty dirs", s.EmptyDirs("base", ""), []string{"a/empty", "link_dir/empty"})
	// A link back to the root is listed, and not walked into again.
	eq(t, "links", s.SymlinkList("base", ""), map[string]string{"link_in": "a/b.txt", "link_dir": "a", "loop": "."})
	eq(t, "prefix", s.FileList("base", "/a/"), []string{"a/b.txt"})
	eq(t, "string prefix", s.DirList("base", "link"), []string{"link_dir", "link_dir/empty"})
	eq(t, "links prefix", s.SymlinkList("base", "link_d"), map[string]string{"link_dir": "a"})
	eq(t, "prod", s.FileList("prod", ""), []string{"p.txt"})
	eq(t, "unknown env", s.FileList("nope", ""), []string{})
	eq(t, "envs", s.Envs(), []string{"base", "prod"})
}

func TestIgnoreAsSaltAppliesIt(t *testing.T) {
	tr := newTree(t)
	s := tr.server(t, Options{IgnoreRegex: []string{`/\.svn($|/)`, `^top\.sls$`}, IgnoreGlob: []string{"*.pyc"}})
	// Lists match the relative path: ".svn/entries" has no "/.svn", and
	// the ^top\.sls$ regex hides top.sls; Salt still walks into an ignored
	// directory.
	eq(t, "files", s.FileList("base", ""), []string{
		".svn/entries", "a/b.txt", "dup.txt", "link_dir/b.txt", "link_in", "only2.txt", "sub/deep/f.sh",
	})
	// Finding matches the full path: "<root>/.svn/entries" is hidden,
	// "<root>/top.sls" is not (the regex is anchored at the start).
	if _, err := s.Find("base", ".svn/entries"); !errors.Is(err, ErrNotFound) {
		t.Errorf(".svn/entries: err %v, want not found", err)
	}
	if _, err := s.Find("base", "top.sls"); err != nil {
		t.Errorf("top.sls: %v", err)
	}
	if _, err := s.Find("base", "x.pyc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("x.pyc: err %v, want not found", err)
	}
}

func TestHashTypes(t *testing.T) {
	tr := newTree(t)
	write(t, filepath.Join(tr.base1, "abc"), "abc")
	for ht, want := range map[string]string{
		"md5":    "900150983cd24fb0d6963f7d28e17f72",
		"sha1":   "a9993e364706816aba3e25717850c26c9cd0d89d",
		"sha224": "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
		"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
		"sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	} {
		s := tr.server(t, Options{HashType: strings.ToUpper(ht)})
		h, st, err := s.Hash("base", "abc")
		if err != nil || h.Hsum != want || h.HashType != ht {
			t.Errorf("%s: %+v %v", ht, h, err)
		}
		if len(st) != 10 || st[6] != 3 || st[0]&0o170000 != 0o100000 {
			t.Errorf("%s: stat %v, want 10 fields, size 3, a regular file", ht, st)
		}
	}
}

func TestHashCachedByMtimeAndSize(t *testing.T) {
	tr := newTree(t)
	path := filepath.Join(tr.base1, "abc")
	write(t, path, "abc")
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
	s := tr.server(t, Options{})
	first, _, err := s.Hash("base", "abc")
	if err != nil {
		t.Fatal(err)
	}
	// Same size, same mtime: the cache answers, the file is not read again.
	write(t, path, "xyz")
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
	again, _, _ := s.Hash("base", "abc")
	eq(t, "cached hash", again, first)
	// A new mtime is hashed again.
	if err := os.Chtimes(path, when.Add(time.Second), when.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	fresh, _, _ := s.Hash("base", "abc")
	eq(t, "new hash", fresh.Hsum, "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282")
}

func TestServeChunks(t *testing.T) {
	tr := newTree(t)
	data := bytes.Repeat([]byte("0123456789"), 10)
	write(t, filepath.Join(tr.base1, "big"), string(data))
	s := tr.server(t, Options{BufferSize: 7})
	var got []byte
	for loc := int64(0); ; {
		c, err := s.ServeChunk("base", "big", loc)
		if err != nil || c.Dest != "big" {
			t.Fatalf("chunk at %d: %+v %v", loc, c, err)
		}
		if len(c.Data) > 7 {
			t.Fatalf("chunk of %d bytes, buffer is 7", len(c.Data))
		}
		if len(c.Data) == 0 {
			break
		}
		got = append(got, c.Data...)
		loc += int64(len(c.Data))
	}
	eq(t, "reassembled", got, data)
	c, err := s.ServeChunk("base", "big", 1000)
	if err != nil || len(c.Data) != 0 || c.Dest != "big" {
		t.Fatalf("past the end: %+v %v", c, err)
	}
}

func TestServeCommands(t *testing.T) {
	tr := newTree(t)
	log, buf := logTo()
	s := tr.server(t, Options{Log: log, BufferSize: 1 << 20})
	serve := func(load body.Map) any {
		t.Helper()
		load.Set("id", "web1")
		cmd, _ := load.String("cmd")
		ret, ok := s.Serve(cmd, load)
		if !ok {
			t.Fatalf("%s not served", cmd)
		}
		return ret
	}
	c, err := protocol.ParseFileChunk(serve(protocol.ServeFileLoad(protocol.ServeFile{Path: "a/b.txt", Saltenv: "base"})))
	if err != nil || string(c.Data) != "bee" || c.Dest != "a/b.txt" {
		t.Fatalf("serve file: %+v %v", c, err)
	}
	h, found, err := protocol.ParseFileHash(serve(protocol.FileRefLoad(protocol.CmdFileHash, protocol.FileRef{Path: "a/b.txt", Saltenv: "base"})))
	if err != nil || !found || h.HashType != "sha256" || len(h.Hsum) != 64 {
		t.Fatalf("hash: %+v %v %v", h, found, err)
	}
	_, st, found, err := protocol.ParseFileHashAndStat(serve(protocol.FileRefLoad(protocol.CmdFileHashAndStat, protocol.FileRef{Path: "a/b.txt", Saltenv: "base"})))
	if err != nil || !found || len(st) != 10 {
		t.Fatalf("hash and stat: %v %v %v", st, found, err)
	}
	l, _ := protocol.ParsePathList(serve(protocol.FileListLoad(protocol.CmdFileList, protocol.FileListQuery{Saltenv: "prod"})))
	eq(t, "file list", l, []string{"p.txt"})
	l, _ = protocol.ParsePathList(serve(protocol.FileListLoad(protocol.CmdDirList, protocol.FileListQuery{Saltenv: "base", Prefix: "sub"})))
	eq(t, "dir list", l, []string{"sub", "sub/deep"})
	l, _ = protocol.ParsePathList(serve(protocol.FileListLoad(protocol.CmdFileListEmptyDirs, protocol.FileListQuery{Saltenv: "base", Prefix: "a"})))
	eq(t, "empty dirs", l, []string{"a/empty"})
	links, _ := protocol.ParseSymlinks(serve(protocol.FileListLoad(protocol.CmdSymlinkList, protocol.FileListQuery{Saltenv: "base"})))
	eq(t, "links", links, map[string]string{"link_in": "a/b.txt", "link_dir": "a", "loop": "."})
	l, _ = protocol.ParsePathList(serve(protocol.FileEnvsLoad()))
	eq(t, "envs", l, []string{"base", "prod"})
	if _, ok := s.Serve(protocol.CmdReturn, body.Map{}); ok {
		t.Fatal("_return taken as a file server command")
	}

	// A refused path: Salt's not-found answers, and a warning naming the minion.
	sameShape(t, serve(protocol.ServeFileLoad(protocol.ServeFile{Path: "../outside/secret", Saltenv: "base"})),
		protocol.FileChunk{}.Return())
	if ret := serve(protocol.FileRefLoad(protocol.CmdFileHash, protocol.FileRef{Path: "link_out", Saltenv: "base"})); ret != "" {
		t.Fatalf("hash of a refused path: %v", ret)
	}
	logs := buf.String()
	for _, want := range []string{`level=warning`, `minion web1`, `\"../outside/secret\"`, `\"link_out\"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "TOP SECRET") {
		t.Fatal("the secret reached the log")
	}
}

func sameShape(t *testing.T, got, want any) {
	t.Helper()
	g, _ := body.AppendJSON(nil, got)
	w, _ := body.AppendJSON(nil, want)
	if string(g) != string(w) {
		t.Errorf("got %s, want %s", g, w)
	}
}

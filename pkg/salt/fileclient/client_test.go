package fileclient

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
)

var ctx = context.Background()

func newClient(t *testing.T, fm *fileclienttest.Master) (*Client, string) {
	cachedir := t.TempDir()
	return New(cachedir, fm, "sha256"), cachedir
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// A 10 MB file comes in 256 KiB chunks, from offset 0 until an empty one,
// into the cache; fetched again, only its hash is asked; changed on the
// master, it comes again.
func TestCacheFileFetchesOnlyWhenTheHashDiffers(t *testing.T) {
	fm := fileclienttest.New(t)
	big := randomBytes(10<<20, 1)
	fm.Write("base", "files/big.bin", big)
	c, cachedir := newClient(t, fm)

	p, err := c.CacheFile(ctx, "salt://files/big.bin", "base")
	want := filepath.Join(cachedir, "files", "base", "files", "big.bin")
	if err != nil || p != want {
		t.Fatalf("CacheFile = %q, %v; want %q", p, err, want)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, big) {
		t.Fatalf("the cached file differs from the master's (%d bytes)", len(got))
	}
	if n := fm.Count("_serve_file"); n != 41 {
		t.Errorf("%d _serve_file requests for 40 chunks, want 41 (the last empty)", n)
	}
	var locs []int64
	for _, l := range fm.Loads() {
		if cmd, _ := l.String("cmd"); cmd == "_serve_file" {
			loc, _ := l.Int("loc")
			locs = append(locs, loc)
		}
	}
	if locs[0] != 0 || locs[1] != 256<<10 || locs[40] != 10<<20 {
		t.Errorf("offsets %v...", locs[:3])
	}
	if cmd, _ := fm.Loads()[0].String("cmd"); cmd != "_file_hash" {
		t.Errorf("first request %v, want _file_hash", fm.Loads()[0])
	}

	fm.Reset()
	if p2, err := c.CacheFile(ctx, "salt://files/big.bin", "base"); err != nil || p2 != p {
		t.Fatalf("second CacheFile = %q, %v", p2, err)
	}
	if n, h := fm.Count("_serve_file"), fm.Count("_file_hash"); n != 0 || h != 1 {
		t.Errorf("second fetch: %d _serve_file and %d _file_hash requests, want 0 and 1", n, h)
	}

	fm.Write("base", "files/big.bin", []byte("smaller now"))
	fm.Reset()
	if _, err := c.CacheFile(ctx, "salt://files/big.bin", "base"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != "smaller now" || fm.Count("_serve_file") != 2 {
		t.Errorf("after the change: %q in %d requests", got, fm.Count("_serve_file"))
	}
}

// A transfer whose data lacks the master's hash is an error and leaves the
// cached copy as it was, and no part file beside it.
func TestHashMismatchLeavesNothingHalfWritten(t *testing.T) {
	fm := fileclienttest.New(t)
	fm.Write("base", "a.txt", []byte("version one"))
	c, _ := newClient(t, fm)
	p, err := c.CacheFile(ctx, "salt://a.txt", "base")
	if err != nil {
		t.Fatal(err)
	}
	fm.Write("base", "a.txt", []byte("version two"))
	fm.Corrupt = true
	if _, err := c.CacheFile(ctx, "salt://a.txt", "base"); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("corrupt transfer: %v, want ErrHashMismatch", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "version one" {
		t.Errorf("the cached copy is now %q", got)
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("the cache directory holds %d entries, want only a.txt", len(ents))
	}
	fresh, _ := newClient(t, fm)
	if _, err := fresh.GetFile(ctx, "salt://a.txt", "", false, "base"); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("corrupt first transfer: %v", err)
	}
	if got := fresh.IsCached("salt://a.txt", "base"); got != "" {
		t.Errorf("a corrupt first transfer left %q", got)
	}
}

// What the master does not have is "" (Salt's False), and nothing is
// written; a path that is not salt:// is Salt's MinionError.
func TestGetFileMissingAndUnsupported(t *testing.T) {
	fm := fileclienttest.New(t)
	c, cachedir := newClient(t, fm)
	if p, err := c.GetFile(ctx, "salt://nope.txt", "", false, "base"); p != "" || err != nil {
		t.Errorf("missing file: %q, %v", p, err)
	}
	if _, err := os.Stat(filepath.Join(cachedir, "files")); err == nil {
		t.Error("a missing file made the cache directory")
	}
	var me *MinionError
	if _, err := c.GetFile(ctx, "/etc/hosts", "", false, "base"); !errors.As(err, &me) || me.Msg != "Unsupported path: /etc/hosts" {
		t.Errorf("local path: %v", err)
	}
	fm.Write("base", "evil", []byte("x"))
	if _, err := c.GetFile(ctx, "salt://../evil", "", false, "base"); err == nil {
		t.Error("a path climbing out of the cache was fetched")
	}
}

// The URL's saltenv wins; a dest directory gets the base name; a missing
// dest directory is False without makedirs and made with it.
func TestGetFileDestAndSaltenv(t *testing.T) {
	fm := fileclienttest.New(t, "dev")
	fm.Write("dev", "conf/app.conf", []byte("dev conf"))
	c, cachedir := newClient(t, fm)
	p, err := c.CacheFile(ctx, "salt://conf/app.conf?saltenv=dev", "base")
	if want := filepath.Join(cachedir, "files", "dev", "conf", "app.conf"); err != nil || p != want {
		t.Fatalf("CacheFile = %q, %v; want %q", p, err, want)
	}
	if env, _ := fm.Loads()[0].String("saltenv"); env != "dev" {
		t.Errorf("load saltenv %q", env)
	}
	dest := t.TempDir()
	if p, err := c.GetFile(ctx, "salt://conf/app.conf", dest+"/", false, "dev"); err != nil || p != filepath.Join(dest, "app.conf") {
		t.Errorf("to a directory: %q, %v", p, err)
	}
	deep := filepath.Join(dest, "x", "y", "app.conf")
	if p, err := c.GetFile(ctx, "salt://conf/app.conf", deep, false, "dev"); err != nil || p != "" {
		t.Errorf("missing directory without makedirs: %q, %v", p, err)
	}
	if p, err := c.GetFile(ctx, "salt://conf/app.conf", deep, true, "dev"); err != nil || p != deep {
		t.Errorf("with makedirs: %q, %v", p, err)
	}
	if st, err := os.Stat(deep); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("dest mode: %v, %v", st, err)
	}
}

// A directory comes with its files and its empty directories, under the
// directory's own name; salt://foo does not take salt://foobar.
func TestGetDirAndCacheDir(t *testing.T) {
	fm := fileclienttest.New(t)
	fm.Write("base", "web/index.html", []byte("<html>"))
	fm.Write("base", "web/css/site.css", []byte("body{}"))
	fm.Write("base", "webby/other", []byte("not mine"))
	if err := os.MkdirAll(filepath.Join(fm.Roots["base"], "web", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, cachedir := newClient(t, fm)
	dest := t.TempDir()
	got, err := c.GetDir(ctx, "salt://web", dest, "base")
	want := []string{dest + "/web/css/site.css", dest + "/web/empty", dest + "/web/index.html"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetDir = %v, %v; want %v", got, err, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "web", "css", "site.css")); string(b) != "body{}" {
		t.Errorf("site.css = %q", b)
	}

	got, err = c.CacheDir(ctx, "salt://web", "base", true, nil, []string{"*.css"})
	base := filepath.Join(cachedir, "files", "base")
	want = []string{base + "/web/index.html", base + "/web/empty"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CacheDir = %v, %v; want %v", got, err, want)
	}
	got, _ = c.CacheDir(ctx, "salt://web/", "base", false, []string{"E@css$"}, nil)
	if !reflect.DeepEqual(got, []string{base + "/web/css/site.css"}) {
		t.Errorf("CacheDir with E@ include = %v", got)
	}
}

// list_states names the sls files, init.sls by its directory.
func TestListStates(t *testing.T) {
	fm := fileclienttest.New(t)
	for _, f := range []string{"top.sls", "apache/init.sls", "apache/conf.sls", "apache/files/httpd.conf", "a/b/c.sls"} {
		fm.Write("base", f, []byte("x"))
	}
	c, _ := newClient(t, fm)
	got, err := c.ListStates(ctx, "base")
	if want := []string{"a.b.c", "apache", "apache.conf", "top"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ListStates = %v, %v; want %v", got, err, want)
	}
}

// cp.push's chunks reassemble the file at their offsets; a refusing
// master's answer is returned.
func TestPush(t *testing.T) {
	fm := fileclienttest.New(t)
	c, _ := newClient(t, fm)
	c.BufferSize = 1000
	data := randomBytes(2500, 2)
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ret, err := c.Push(ctx, src, []string{"tmp", "f"})
	if err != nil || ret != true {
		t.Fatalf("Push = %v, %v", ret, err)
	}
	var got []byte
	for i, l := range fm.Received {
		loc, _ := l.Int("loc")
		size, _ := l.Int("size")
		d, _ := l.Get("data")
		if loc != int64(len(got)) || size != 2500 {
			t.Errorf("chunk %d: loc %d size %d", i, loc, size)
		}
		if p, _ := l.Get("path"); !reflect.DeepEqual(p, []any{"tmp", "f"}) {
			t.Errorf("chunk %d path %v", i, p)
		}
		got = append(got, d.([]byte)...)
	}
	if len(fm.Received) != 3 || !bytes.Equal(got, data) {
		t.Errorf("%d chunks, %d bytes", len(fm.Received), len(got))
	}
	fm.Recv = false
	if ret, err := c.Push(ctx, src, []string{"f"}); err != nil || ret != false {
		t.Errorf("refused push = %v, %v", ret, err)
	}
}

// hash_file's returns, Salt's shapes.
func TestHashFile(t *testing.T) {
	fm := fileclienttest.New(t)
	fm.Write("base", "a", []byte("abc"))
	c, _ := newClient(t, fm)
	abc := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	wantHash := body.Map{{Key: "hsum", Value: abc}, {Key: "hash_type", Value: "sha256"}}
	if got, err := c.HashFile(ctx, "salt://a", "base"); err != nil || !reflect.DeepEqual(got, wantHash) {
		t.Errorf("salt:// hash = %v, %v", got, err)
	}
	if got, _ := c.HashFile(ctx, "salt://b", "base"); got != "" {
		t.Errorf("missing salt:// hash = %#v", got)
	}
	local := filepath.Join(fm.Roots["base"], "a")
	if got, err := c.HashFile(ctx, local, "base"); err != nil || !reflect.DeepEqual(got, wantHash) {
		t.Errorf("local hash = %v, %v", got, err)
	}
	if got, _ := c.HashFile(ctx, "/no/such/file", "base"); !reflect.DeepEqual(got, []any{body.Map{}, nil}) {
		t.Errorf("missing local hash = %#v", got)
	}
}

func TestGetURLLocal(t *testing.T) {
	c, _ := newClient(t, fileclienttest.New(t))
	if p, err := c.GetURL(ctx, "file:///etc/hosts", "", false, "base"); err != nil || p != "/etc/hosts" {
		t.Errorf("file:// = %q, %v", p, err)
	}
	var ce *CommandExecutionError
	if _, err := c.GetURL(ctx, "rel/path", "", false, "base"); !errors.As(err, &ce) || ce.Msg != "Path 'rel/path' is not absolute" {
		t.Errorf("relative = %v", err)
	}
}

// A file of no bytes is one empty chunk with the master's name for it.
func TestEmptyFile(t *testing.T) {
	fm := fileclienttest.New(t)
	fm.Write("base", "empty", nil)
	c, cachedir := newClient(t, fm)
	p, err := c.CacheFile(ctx, "salt://empty", "base")
	if want := filepath.Join(cachedir, "files", "base", "empty"); err != nil || p != want {
		t.Fatalf("CacheFile = %q, %v; want %q", p, err, want)
	}
	if st, err := os.Stat(p); err != nil || st.Size() != 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("cached empty file: %v, %v", st, err)
	}
	if n := fm.Count("_serve_file"); n != 1 {
		t.Errorf("%d _serve_file requests, want 1", n)
	}
}

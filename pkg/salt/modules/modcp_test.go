package modules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
)

// cpEnv is an Executor whose file client asks a fake master.
func cpEnv(t *testing.T, opts Options) (*Executor, *fileclienttest.Master, string) {
	t.Helper()
	fm := fileclienttest.New(t)
	for rel, text := range map[string]string{"web/index.html": "hi\n", "web/css/site.css": "body{}\n",
		"apache/init.sls": "x: 1\n", "apache/conf.sls": "y: 2\n", "top.sls": "top\n", "t.j2": "id={{ id }}\n"} {
		fm.Write("base", rel, []byte(text))
	}
	if err := os.MkdirAll(filepath.Join(fm.Roots["base"], "web", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	cachedir := t.TempDir()
	opts.Files = fileclient.New(cachedir, fm, "sha256")
	return New(opts), fm, cachedir
}

// Without a file client there is no cp module.
func TestCpOnlyWithFiles(t *testing.T) {
	if New(Options{}).Has("cp.get_file") {
		t.Error("cp.get_file without a file client")
	}
	e, _, _ := cpEnv(t, Options{})
	wantOK(t, run(e, "sys.list_functions", "cp.list_*"),
		[]any{"cp.list_master", "cp.list_master_dirs", "cp.list_master_symlinks", "cp.list_states"})
}

// The returns of salt-call --local cp.* in Salt 3006.3 against the same
// file_roots tree.
func TestCpListsAndHashes(t *testing.T) {
	e, _, _ := cpEnv(t, Options{})
	wantOK(t, run(e, "cp.list_master"), []any{"apache/conf.sls", "apache/init.sls", "t.j2", "top.sls", "web/css/site.css", "web/index.html"})
	wantOK(t, run(e, "cp.list_master", "saltenv=base", "prefix=web/"), []any{"web/css/site.css", "web/index.html"})
	wantOK(t, run(e, "cp.list_master_dirs"), []any{"apache", "web", "web/css", "web/empty"})
	wantOK(t, run(e, "cp.list_states"), []any{"apache", "apache.conf", "top"})
	wantOK(t, run(e, "cp.hash_file", "salt://web/index.html"), body.Map{
		{Key: "hsum", Value: "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"}, {Key: "hash_type", Value: "sha256"}})
	wantOK(t, run(e, "cp.hash_file", "salt://nope"), "")
	wantOK(t, run(e, "cp.hash_file", "/nope"), []any{body.Map{}, nil})
	wantError(t, run(e, "cp.hash_file"), "Passed invalid arguments to cp.hash_file: hash_file() missing 1 required positional argument: 'path'")
}

func TestCpGetFile(t *testing.T) {
	e, fm, cachedir := cpEnv(t, Options{})
	dest := t.TempDir()
	wantOK(t, run(e, "cp.get_file", "salt://web/index.html", dest+"/a.html"), dest+"/a.html")
	if b, _ := os.ReadFile(dest + "/a.html"); string(b) != "hi\n" {
		t.Errorf("a.html = %q", b)
	}
	wantOK(t, run(e, "cp.get_file", "salt://nope", dest+"/b"), "")
	wantOK(t, run(e, "cp.get_file", "salt://web/index.html", dest+"/x/y/z"), false)
	wantOK(t, run(e, "cp.get_file", "salt://web/index.html", dest+"/x/y/z", "makedirs=True"), dest+"/x/y/z")
	wantOK(t, run(e, "cp.get_file", "salt://web/index.html", dest+"/"), dest+"/index.html")
	wantError(t, run(e, "cp.get_file", "/etc/hosts", dest+"/h"),
		"The minion function caused an exception: salt.exceptions.MinionError: Unsupported path: /etc/hosts")
	wantError(t, run(e, "cp.get_file", "salt://web/index.html", dest+"/t", "template=jinja"),
		"ERROR: Attempted to render file paths with unavailable engine jinja")

	cached := filepath.Join(cachedir, "files", "base", "web", "index.html")
	wantOK(t, run(e, "cp.cache_file", "salt://web/index.html"), cached)
	wantOK(t, run(e, "cp.is_cached", "salt://web/index.html"), cached)
	wantOK(t, run(e, "cp.is_cached", "salt://nope"), "")
	wantOK(t, run(e, "cp.cache_file", "salt://nope"), false)
	wantOK(t, run(e, "cp.cache_file", "/etc/hosts"), "/etc/hosts")
	wantError(t, run(e, "cp.cache_file", "rel/x"), "ERROR: Path 'rel/x' is not absolute")
	wantOK(t, run(e, "cp.cache_files", "salt://web/index.html,salt://nope"), []any{cached, false})
	wantOK(t, run(e, "cp.get_url", "salt://web/index.html"), cached)
	wantOK(t, run(e, "cp.get_url", "salt://nope"), false)
	wantOK(t, run(e, "cp.get_url", "/etc/hostname", dest+"/h"), "/etc/hostname")
	wantOK(t, run(e, "cp.get_url", "salt://top.sls", kw("dest", nil)), "top\n")

	fm.Reset()
	wantOK(t, run(e, "cp.cache_file", "salt://web/index.html"), cached)
	if n := fm.Count("_serve_file"); n != 0 {
		t.Errorf("a cached file was served again: %d chunks", n)
	}
}

func TestCpDirs(t *testing.T) {
	e, _, cachedir := cpEnv(t, Options{})
	dest := t.TempDir()
	wantOK(t, run(e, "cp.get_dir", "salt://web", dest),
		[]any{dest + "/web/css/site.css", dest + "/web/empty", dest + "/web/index.html"})
	wantOK(t, run(e, "cp.get_dir", "salt://nope", dest), []any{})
	base := filepath.Join(cachedir, "files", "base")
	wantOK(t, run(e, "cp.cache_dir", "salt://web"), []any{base + "/web/css/site.css", base + "/web/index.html"})
	wantOK(t, run(e, "cp.cache_dir", "salt://web", "include_empty=True", "exclude_pat=*.css"),
		[]any{base + "/web/index.html", base + "/web/empty"})
}

func TestCpGetTemplate(t *testing.T) {
	var seen string
	render := func(file string, text []byte, saltenv string) (string, error) {
		seen = file
		if string(text) == "{% if %}" {
			return "", errors.New("Jinja syntax error")
		}
		return "rendered in " + saltenv + ": " + string(text), nil
	}
	e, fm, cachedir := cpEnv(t, Options{Template: render})
	dest := t.TempDir()
	wantOK(t, run(e, "cp.get_template", "salt://t.j2", dest+"/t.out"), dest+"/t.out")
	if b, _ := os.ReadFile(dest + "/t.out"); string(b) != "rendered in base: id={{ id }}\n" {
		t.Errorf("t.out = %q", b)
	}
	if want := filepath.Join(cachedir, "files", "base", "t.j2"); seen != want {
		t.Errorf("rendered %q, want the cached %q", seen, want)
	}
	wantOK(t, run(e, "cp.get_template", "salt://nope", dest+"/n"), "")
	wantOK(t, run(e, "cp.get_template", "salt://t.j2", dest+"/q/r/t"), "")
	wantOK(t, run(e, "cp.get_template", "salt://t.j2", dest+"/t2", "template=nosuch"), "")
	wantOK(t, run(e, "cp.get_template", "salt://t.j2", ""), filepath.Join(cachedir, "extrn_files", "base", "t.j2"))
	fm.Write("base", "bad.j2", []byte("{% if %}"))
	wantError(t, run(e, "cp.get_template", "salt://bad.j2", dest+"/b"),
		"The minion function caused an exception: salt.exceptions.SaltRenderError: Jinja syntax error")

	plain, _, _ := cpEnv(t, Options{})
	wantOK(t, run(plain, "cp.get_template", "salt://t.j2", dest+"/t3"), "")
}

func TestCpPush(t *testing.T) {
	e, fm, _ := cpEnv(t, Options{})
	src := filepath.Join(t.TempDir(), "pushme")
	if err := os.WriteFile(src, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantOK(t, run(e, "cp.push", "rel"), false)
	wantOK(t, run(e, "cp.push", "/nonexistent"), false)
	wantOK(t, run(e, "cp.push", src, "upload_path=/a/../b"), false)
	wantOK(t, run(e, "cp.push", src, "upload_path=/up/here"), true)
	if len(fm.Received) != 1 {
		t.Fatalf("%d chunks", len(fm.Received))
	}
	if p, _ := fm.Received[0].Get("path"); !reflect.DeepEqual(p, []any{"up", "here"}) {
		t.Errorf("pushed to %v", p)
	}
	fm.Recv = false
	wantOK(t, run(e, "cp.push", src, "remove_source=True"), false)
	if _, err := os.Stat(src); err != nil {
		t.Errorf("a refused push removed the source: %v", err)
	}
	fm.Recv = true
	wantOK(t, run(e, "cp.push", src, "remove_source=True"), true)
	if _, err := os.Stat(src); err == nil {
		t.Error("remove_source kept the source")
	}
}

// failing is a request channel without a master.
type failing struct{}

func (failing) Request(context.Context, body.Map) (any, error) {
	return nil, errors.New("no master is allowed on the road now")
}

// A request that fails is Salt's SaltClientError, raised as an exception.
func TestCpWithoutMaster(t *testing.T) {
	e := New(Options{Files: fileclient.New(t.TempDir(), failing{}, "")})
	wantError(t, run(e, "cp.list_master"),
		"The minion function caused an exception: salt.exceptions.SaltClientError: no master is allowed on the road now")
	wantError(t, run(e, "cp.get_file", "salt://a", "/tmp/a"), "The minion function caused an exception: salt.exceptions.SaltClientError")
}

func TestCpGetFileStrAndPushDir(t *testing.T) {
	e, fm, _ := cpEnv(t, Options{})
	wantOK(t, run(e, "cp.get_file_str", "salt://web/index.html"), "hi\n")
	wantOK(t, run(e, "cp.get_file_str", "salt://nope"), false)

	dir := t.TempDir()
	for _, f := range []string{"a.conf", "sub/b.conf", "sub/c.txt"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wantOK(t, run(e, "cp.push_dir", "rel"), false)
	wantOK(t, run(e, "cp.push_dir", dir, "glob=*.none"), false)
	wantOK(t, run(e, "cp.push_dir", dir, "glob=*.conf", "upload_path=/up"), true)
	var got []any
	for _, l := range fm.Received {
		p, _ := l.Get("path")
		got = append(got, p)
	}
	if want := []any{[]any{"up", "a.conf"}, []any{"up", "sub", "b.conf"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("pushed %v, want %v", got, want)
	}
}

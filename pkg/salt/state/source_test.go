package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The remote and local sources find a.b as a/b.sls before a/b/init.sls,
// list the same names, and say ErrNoSLS for an sls neither has.
func TestSources(t *testing.T) {
	ctx := context.Background()
	fm := fileclienttest.New(t, "dev")
	files := map[string]string{"a/b.sls": "file", "a/b/init.sls": "init", "c/init.sls": "c", "top.sls": "t", "x.txt": "no",
		"imp.sls":       "{% from 'map/map.jinja' import v %}\nfrom_map:\n  test.nop:\n    - value: {{ v }}\n",
		"map/map.jinja": "{% set v = 'from map.jinja' %}\n"}
	for rel, text := range files {
		fm.Write("base", rel, []byte(text))
	}
	sources := map[string]Source{
		"remote": RemoteSource{Client: fileclient.New(t.TempDir(), fm, "sha256")},
		"local":  LocalSource{Roots: map[string][]string{"base": {t.TempDir(), fm.Roots["base"]}, "dev": {fm.Roots["dev"]}}},
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			file, text, err := src.Fetch(ctx, "base", "a.b")
			if err != nil || string(text) != "file" || !strings.HasSuffix(filepath.ToSlash(file), "a/b.sls") {
				t.Errorf("Fetch a.b = %q %q %v", file, text, err)
			}
			file, text, err = src.Fetch(ctx, "base", "c")
			if err != nil || string(text) != "c" || !strings.HasSuffix(filepath.ToSlash(file), "c/init.sls") {
				t.Errorf("Fetch c = %q %q %v", file, text, err)
			}
			if _, _, err := src.Fetch(ctx, "base", "nope"); !errors.Is(err, ErrNoSLS) {
				t.Errorf("Fetch nope: %v, want ErrNoSLS", err)
			}
			if _, _, err := src.Fetch(ctx, "dev", "a.b"); !errors.Is(err, ErrNoSLS) {
				t.Errorf("Fetch dev a.b: %v, want ErrNoSLS", err)
			}
			comp := &Compiler{Source: src}
			high, errs := comp.High(ctx, "base", []string{"imp"})
			run := listOf(mustGet(asMap(mustGet(high, "from_map")), "test"))
			if len(errs) > 0 || len(run) != 3 || mustGet(asMap(run[0]), "value") != "from map.jinja" {
				t.Errorf("High imp = %v %v: want from_map's test.nop with the value map.jinja set", high, errs)
			}
			names, err := src.ListStates(ctx, "base")
			if want := []string{"a.b", "c", "imp", "top"}; err != nil || !slices.Equal(names, want) {
				t.Errorf("ListStates = %v %v, want %v", names, err, want)
			}
		})
	}
}

// A local sls name never leaves its root.
func TestLocalSourceStaysInRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.sls"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := LocalSource{Roots: map[string][]string{"base": {root}}}
	if _, _, err := src.Load("base", "../secret.sls"); err == nil {
		t.Error("Load ../secret.sls read a file outside the root")
	}
}

// A highstate over the master asks for its environments and each
// environment's sls list once, however many includes the tree has.
func TestRemoteHighstateAsksOnce(t *testing.T) {
	fm := fileclienttest.New(t)
	fm.Write("base", "top.sls", []byte("base:\n  '*':\n    - a\n    - b\n"))
	fm.Write("base", "a.sls", []byte("include:\n  - b\n  - c\na:\n  test.nop\n"))
	fm.Write("base", "b.sls", []byte("include:\n  - c\nb:\n  test.nop\n"))
	fm.Write("base", "c.sls", []byte("c:\n  test.nop\n"))
	c := &Compiler{Source: RemoteSource{Client: fileclient.New(t.TempDir(), fm, "sha256")}, Opts: map[string]any{"id": "m1"}}
	high, errs := c.Highstate(context.Background(), "")
	if len(errs) > 0 || !slices.Equal(high.Keys(), []string{"a", "b", "c"}) {
		t.Fatalf("Highstate = %v %v", high.Keys(), errs)
	}
	if n, l := fm.Count(protocol.CmdFileEnvs), fm.Count(protocol.CmdFileList); n != 1 || l != 1 {
		t.Errorf("asked _file_envs %d times and _file_list %d times, want once each", n, l)
	}
}

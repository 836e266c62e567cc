package job

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// jobFiles is every file and directory under a job's directory: its mode
// and bytes by path, the job's jid written as "<jid>".
func jobFiles(t *testing.T, c *Cache, jid string) map[string]string {
	t.Helper()
	files := map[string]string{}
	root := c.Dir(jid)
	err := filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
		if err != nil || path == root {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			v += " " + strings.ReplaceAll(string(data), jid, "<jid>")
		}
		files[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// The writer behind writes a prepared job's own files through its open
// directory exactly as Cache.SavePrepared writes them through the paths:
// the same names, bytes and modes (the job's directory's too), under a
// umask that takes bits of the modes, the nocache marker included; the job's returns then go
// through the same directory, and a nocache job keeps none. The umask is
// the process's: this test does not run in parallel.
func TestBehindSavePreparedAsThePaths(t *testing.T) {
	old := syscall.Umask(0o377)
	defer syscall.Umask(old)
	load := body.Map{{Key: "fun", Value: "test.ping"}, {Key: "arg", Value: []any{}}, {Key: "tgt", Value: "web*"}}
	ret := body.Map{{Key: "return", Value: true}}
	for _, nocache := range []bool{false, true} {
		var got [2]map[string]string
		for i, behind := range []bool{false, true} {
			c, b := behindCache(t)
			jid, err := c.PrepJIDDir(nil)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			if behind {
				b.SavePrepared(jid, nocache, load, []string{"web1", "web2"}, func(err error) { done <- err })
			} else {
				b.DoFirst(func(c *Cache) error { return c.SavePrepared(jid, nocache, load, []string{"web1", "web2"}) },
					func(err error) { done <- err })
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("nocache %v, behind %v: %v", nocache, behind, err)
				}
			case <-time.After(time.Minute):
				t.Fatal("the job's files were not written within a minute")
			}
			if err := saveBehind(t, b, jid, "web1", ret); err != nil {
				t.Fatal(err)
			}
			b.Close()
			c.Close()
			got[i] = jobFiles(t, c, jid)
			if _, mode := inode(t, c.Dir(jid)); mode.Perm() != dirMode {
				t.Fatalf("job directory mode %v under umask 0377", mode.Perm())
			}
		}
		if len(got[0]) == 0 || !maps.Equal(got[0], got[1]) {
			t.Fatalf("nocache %v: through the paths %v, through the open directory %v", nocache, got[0], got[1])
		}
		_, kept := got[1]["web1"]
		if _, marked := got[1][NoCacheFile]; kept == nocache || marked != nocache {
			t.Fatalf("nocache %v: files %v", nocache, got[1])
		}
	}
}

// preparedBehind prepares a job and writes its files and one return of
// web1 through the writer behind, waiting for both.
func preparedBehind(t *testing.T, c *Cache, b *Behind, load, ret body.Map) string {
	t.Helper()
	jid, err := c.PrepJIDDir(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	b.SavePrepared(jid, false, load, []string{"web1"}, func(err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the job's files were not written within a minute")
	}
	if err := saveBehind(t, b, jid, "web1", ret); err != nil {
		t.Fatal(err)
	}
	return jid
}

// Back-to-back jobs to the same minion with the same return: the later
// job's .minions.p and return.p are links to the earlier's (no inode
// allocated), with its bytes; its jid and .load.p are its own. Once the
// earlier job is removed (cleaned) the next job's files are written anew.
func TestBehindLinksSameFilesAcrossJobs(t *testing.T) {
	c, b := behindCache(t)
	t.Cleanup(func() { b.Close(); c.Close() })
	load := body.Map{{Key: "fun", Value: "test.ping"}, {Key: "arg", Value: []any{}}, {Key: "tgt", Value: "web1"}}
	ret := body.Map{{Key: "return", Value: true}, {Key: "retcode", Value: 0}}
	first := preparedBehind(t, c, b, load, ret)
	second := preparedBehind(t, c, b, load, ret)
	for _, f := range []struct {
		rel    string
		linked bool
	}{{MinionsFile, true}, {filepath.Join("web1", ReturnFile), true}, {JIDFile, false}, {LoadFile, false}} {
		a, _ := inode(t, filepath.Join(c.Dir(first), f.rel))
		z, _ := inode(t, filepath.Join(c.Dir(second), f.rel))
		if (a == z) != f.linked {
			t.Fatalf("%s: inode %d then %d, linked %v", f.rel, a, z, f.linked)
		}
	}
	if got := jobFiles(t, c, second); !maps.Equal(got, jobFiles(t, c, first)) {
		t.Fatalf("the second job's files %v, the first's %v", got, jobFiles(t, c, first))
	}
	b.Flush()
	if err := os.RemoveAll(c.Dir(first)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(c.Dir(second)); err != nil {
		t.Fatal(err)
	}
	third := preparedBehind(t, c, b, load, ret)
	if got := jobFiles(t, c, third); len(got) != 5 || got["web1/"+ReturnFile] == "" {
		t.Fatalf("the third job's files after the others were removed: %v", got)
	}
}

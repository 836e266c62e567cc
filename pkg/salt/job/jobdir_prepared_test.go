package job

import (
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
// the same names, bytes and modes, under a umask that takes bits of the
// modes too, the nocache marker included; the job's returns then go
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
		}
		if len(got[0]) == 0 || !equalFiles(got[0], got[1]) {
			t.Fatalf("nocache %v: through the paths %v, through the open directory %v", nocache, got[0], got[1])
		}
		_, kept := got[1]["web1"]
		if _, marked := got[1][NoCacheFile]; kept == nocache || marked != nocache {
			t.Fatalf("nocache %v: files %v", nocache, got[1])
		}
	}
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

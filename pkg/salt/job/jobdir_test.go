package job

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// saveBehind writes a return through the writer's held-open job
// directory and waits for its outcome.
func saveBehind(t *testing.T, b *Behind, jid, id string, ret body.Map) error {
	t.Helper()
	done := make(chan error, 1)
	b.SaveReturn(jid, id, ret, func(err error) { done <- err })
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("the return was not written within a minute")
		return nil
	}
}

func inode(t *testing.T, path string) (ino uint64, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino, fi.Mode()
}

// Returns written by the writer behind are Salt's files, as SaveReturn
// writes them: each minion's directory (0700) and return.p (0600) and
// out.p, read back as written. A return with the bytes of one written just
// before for the job is a link to it; one that differs is a file of its
// own; out.p of each is right whether linked or not.
func TestBehindSaveReturnLayoutAndLinks(t *testing.T) {
	c, b, jid := behindJob(t)
	ping := body.Map{{Key: "return", Value: true}, {Key: "retcode", Value: 0}, {Key: "out", Value: "nested"}}
	other := body.Map{{Key: "return", Value: "web3 says no"}, {Key: "retcode", Value: 1}, {Key: "out", Value: "nested"}}
	for _, r := range []struct {
		id  string
		ret body.Map
	}{{"web1", ping}, {"web2", ping}, {"web3", other}, {"web4", ping}} {
		if err := saveBehind(t, b, jid, r.id, r.ret); err != nil {
			t.Fatalf("%s: %v", r.id, err)
		}
	}
	rets, err := c.Returns(jid)
	if err != nil || len(rets) != 4 {
		t.Fatalf("returns %v %v", rets, err)
	}
	if v, _ := rets["web3"].Get("return"); v != "web3 says no" {
		t.Fatalf("web3's return %v", rets["web3"])
	}
	if v, _ := rets["web4"].Get("return"); v != true {
		t.Fatalf("web4's return %v", rets["web4"])
	}
	dir := c.Dir(jid)
	ino1, mode := inode(t, filepath.Join(dir, "web1", ReturnFile))
	if mode.Perm() != fileMode {
		t.Fatalf("return.p mode %v", mode)
	}
	if _, dmode := inode(t, filepath.Join(dir, "web2")); dmode.Perm() != dirMode || !dmode.IsDir() {
		t.Fatalf("minion directory mode %v", dmode)
	}
	if ino2, _ := inode(t, filepath.Join(dir, "web2", ReturnFile)); ino2 != ino1 {
		t.Fatal("web2's return.p, the same bytes as web1's, is not a link to it")
	}
	if ino3, _ := inode(t, filepath.Join(dir, "web3", ReturnFile)); ino3 == ino1 {
		t.Fatal("web3's return.p, other bytes, is web1's file")
	}
	for _, id := range []string{"web1", "web3"} {
		if b, err := os.ReadFile(filepath.Join(dir, id, OutFile)); err != nil || string(b) != "\xa6nested" {
			t.Fatalf("%s's out.p %q %v", id, b, err)
		}
	}
}

// behindCache makes a cache under group commit and its writer behind.
func behindCache(t *testing.T) (*Cache, *Behind) {
	t.Helper()
	c, err := OpenCache(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GroupCommit(nil); err != nil {
		t.Fatal(err)
	}
	b := c.WriteBehind(func(err error) { t.Errorf("onError: %v", err) })
	return c, b
}

// behindJob makes a cache under group commit, its writer, and a job.
func behindJob(t *testing.T) (*Cache, *Behind, string) {
	t.Helper()
	c, b := behindCache(t)
	t.Cleanup(func() { b.Close(); c.Close() })
	jid, err := c.PrepJID(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, b, jid
}

// The writer behind refuses what SaveReturn refuses: a second return of a
// minion, a job not in the cache (its directory removed while held open
// too), an id that cannot name a directory; and keeps nothing of a
// nocache job.
func TestBehindSaveReturnRefusals(t *testing.T) {
	c, b, jid := behindJob(t)
	ret := body.Map{{Key: "return", Value: true}}
	if err := saveBehind(t, b, jid, "web1", ret); err != nil {
		t.Fatal(err)
	}
	if err := saveBehind(t, b, jid, "web1", ret); !errors.Is(err, ErrDuplicateReturn) {
		t.Fatalf("second return: %v", err)
	}
	for _, id := range []string{"../web1", ".web1", "jid", "a/b"} {
		if err := saveBehind(t, b, jid, id, ret); !errors.Is(err, ErrBadID) {
			t.Fatalf("id %q: %v", id, err)
		}
	}
	if err := saveBehind(t, b, "20260101000000000000", "web1", ret); !errors.Is(err, ErrUnknownJob) {
		t.Fatalf("unknown job: %v", err)
	}
	if err := os.RemoveAll(c.Dir(jid)); err != nil { // as Clean would, the directory held open
		t.Fatal(err)
	}
	if err := saveBehind(t, b, jid, "web2", ret); !errors.Is(err, ErrUnknownJob) {
		t.Fatalf("return to a removed job: %v", err)
	}

	nc, err := c.PrepJIDNoCache(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := saveBehind(t, b, nc, "web1", ret); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(c.Dir(nc), "web1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a nocache job kept a return: %v", err)
	}
}

// Under a umask that takes bits of the cache's modes, the writer behind
// still gives the minion's directory and file exactly theirs. The umask
// is the process's: this test does not run in parallel.
func TestBehindSaveReturnUmask(t *testing.T) {
	old := syscall.Umask(0o377)
	defer syscall.Umask(old)
	c, b, jid := behindJob(t)
	if err := saveBehind(t, b, jid, "web1", body.Map{{Key: "return", Value: true}}); err != nil {
		t.Fatal(err)
	}
	if _, mode := inode(t, filepath.Join(c.Dir(jid), "web1")); mode.Perm() != dirMode {
		t.Fatalf("minion directory mode %v under umask 0377", mode.Perm())
	}
	if _, mode := inode(t, filepath.Join(c.Dir(jid), "web1", ReturnFile)); mode.Perm() != fileMode {
		t.Fatalf("return.p mode %v under umask 0377", mode.Perm())
	}
}

// A job directory held open for its returns is closed once no return came
// for dirIdle, with nothing else queued: a quiet master keeps no
// descriptor of a job.
func TestBehindClosesIdleJobDirs(t *testing.T) {
	_, b, jid := behindJob(t)
	if err := saveBehind(t, b, jid, "web1", body.Map{{Key: "return", Value: true}}); err != nil {
		t.Fatal(err)
	}
	open := func() int { b.dirsMu.Lock(); defer b.dirsMu.Unlock(); return len(b.dirs) }
	if open() != 1 {
		t.Fatalf("%d job directories open after a return, want 1", open())
	}
	for deadline := time.Now().Add(30 * dirIdle); open() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job directory still open %v after its return", 30*dirIdle)
		}
	}
}

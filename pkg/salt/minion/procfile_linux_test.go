package minion

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A job run in the minion (multiprocessing: false) has its proc file once
// it has run procFileDelay, as Salt's thread does, and it goes when the
// job returns; a job that ends before never has one (nothing reads it
// meanwhile: find_job answers from memory), which inotify tells. The
// delay is a nanosecond for the first minion, an hour for the second, so
// that no timing decides the outcome.
func TestProcFileDeferredInTheMinion(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "multiprocessing: false\n")
	e.start("127.0.0.1:0", withProcFileDelay(time.Nanosecond))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	procDir := filepath.Join(e.cfg.Cachedir, "proc")

	slow := newJID()
	fm.publish("m1_minion", pubLoad(slow, "*", "glob", "test.sleep", "1"))
	proc := filepath.Join(procDir, slow)
	rec := awaitProcFile(t, proc)
	if j, _ := rec.String("jid"); j != slow || !rec.Has("pid") {
		t.Errorf("proc record %v", rec)
	}
	fm.waitReturn(slow)
	waitFor(t, "the proc file to go", func() bool { _, err := os.Stat(proc); return os.IsNotExist(err) })

	fm = startMaster(t, t.TempDir(), "127.0.0.1:0")
	e = newEnv(t, fm.addr, "multiprocessing: false\n")
	r := e.start("127.0.0.1:0", withProcFileDelay(time.Hour))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	procDir = filepath.Join(e.cfg.Cachedir, "proc")
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, procDir, unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		jid := newJID()
		fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
		fm.waitReturn(jid)
	}
	waitFor(t, "no running job", func() bool { return len(r.m.Running()) == 0 })
	buf := make([]byte, 4096)
	if n, _ := unix.Read(fd, buf); n > 0 {
		t.Errorf("proc files were made for jobs that ended at once (%d bytes of inotify events)", n)
	}
}

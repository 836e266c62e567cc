package minion

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// spooledOnDisk reads the spool log in dir as a new run would, without
// changing it: the messages of the returns it holds, by jid.
func spooledOnDisk(t *testing.T, dir string) map[string]body.Map {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, SpoolLogFile))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	l := &spoolLog{live: map[string]spoolLogEntry{}}
	l.parse(data)
	out := map[string]body.Map{}
	for jid, e := range l.live {
		msg, err := body.Decode(raet.BodyMsgpack, data[e.off:e.off+e.n])
		if err != nil {
			t.Fatalf("spooled return of %s: %v", jid, err)
		}
		out[jid] = msg
	}
	return out
}

// The log: returns put are read back, by this run and the next; delivered
// ones are recorded so; replaced ones read as the last; nothing waits in
// the next run once all are delivered.
func TestSpoolLog(t *testing.T) {
	dir := t.TempDir()
	l, problem, err := openSpoolLog(dir)
	if err != nil || problem != nil {
		t.Fatal(err, problem)
	}
	for i := range 3 {
		if err := l.put(fmt.Sprint("2026010100000000000", i), []byte(fmt.Sprint("msg", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.put("20260101000000000001", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if err := l.done("20260101000000000000"); err != nil {
		t.Fatal(err)
	}
	if b, err := l.read("20260101000000000001"); err != nil || string(b) != "again" {
		t.Fatalf("read %q %v", b, err)
	}
	l.close()
	l, problem, err = openSpoolLog(dir)
	if err != nil || problem != nil {
		t.Fatal(err, problem)
	}
	want := map[string]string{"20260101000000000001": "again", "20260101000000000002": "msg2"}
	if len(l.jids()) != len(want) {
		t.Fatalf("next run holds %v", l.jids())
	}
	for jid, w := range want {
		if b, err := l.read(jid); err != nil || string(b) != w {
			t.Errorf("next run read %s: %q %v", jid, b, err)
		}
	}
	for jid := range want {
		if err := l.done(jid); err != nil {
			t.Fatal(err)
		}
	}
	l.close()
	if l, _, err = openSpoolLog(dir); err != nil || len(l.jids()) != 0 {
		t.Fatalf("all delivered, the next run holds %v (%v)", l.jids(), err)
	}
	if fi, err := os.Stat(l.path); err != nil || fi.Size() != 0 {
		t.Errorf("nothing waits at the start, and the log is %v (%v)", fi.Size(), err)
	}
	l.close()
}

// Returns delivered one at a time (nothing else waiting) are recorded
// delivered, not emptied each time, until the log reaches spoolLogEmptyAt:
// then it is emptied, so it never grows much past that.
func TestSpoolLogEmptiedAtSize(t *testing.T) {
	dir := t.TempDir()
	l, _, err := openSpoolLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 1000)
	emptied := 0
	var last int64
	for i := range 300 {
		jid := fmt.Sprintf("2026010100%010d", i)
		if err := l.put(jid, msg); err != nil {
			t.Fatal(err)
		}
		if err := l.done(jid); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(l.path)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case fi.Size() > spoolLogEmptyAt+2*int64(len(msg)):
			t.Fatalf("after %d returns the log is %d bytes", i+1, fi.Size())
		case fi.Size() == 0:
			emptied++
		case fi.Size() <= last:
			t.Fatalf("return %d delivered: the log went from %d to %d bytes, not emptied", i, last, fi.Size())
		}
		last = fi.Size()
	}
	if emptied == 0 || emptied > 300*1050/spoolLogEmptyAt {
		t.Errorf("emptied %d times in 300 returns of 1 kB", emptied)
	}
	l.close()
	if l, _, err = openSpoolLog(dir); err != nil || len(l.jids()) != 0 {
		t.Fatalf("all delivered, the next run holds %v (%v)", l.jids(), err)
	}
	l.close()
}

// A record cut short by a crash, or damaged, ends what is read: the
// returns before it count, it is named, and the next append follows them.
func TestSpoolLogTornTail(t *testing.T) {
	for _, cut := range []string{"short", "crc"} {
		t.Run(cut, func(t *testing.T) {
			dir := t.TempDir()
			l, _, _ := openSpoolLog(dir)
			l.put("20260101000000000001", []byte("whole"))
			l.put("20260101000000000002", []byte("torn return"))
			l.close()
			data, _ := os.ReadFile(l.path)
			switch cut {
			case "short":
				data = data[:len(data)-3]
			case "crc":
				data[len(data)-1] ^= 0xff
			}
			os.WriteFile(l.path, data, 0o600)
			l, problem, err := openSpoolLog(dir)
			if err != nil || problem == nil {
				t.Fatalf("reopen: %v, problem %v", err, problem)
			}
			if jids := l.jids(); len(jids) != 1 || jids[0] != "20260101000000000001" {
				t.Fatalf("held %v", jids)
			}
			if err := l.put("20260101000000000003", []byte("after")); err != nil {
				t.Fatal(err)
			}
			l.close()
			l, problem, _ = openSpoolLog(dir)
			if problem != nil || len(l.jids()) != 2 {
				t.Fatalf("after an append: %v, problem %v", l.jids(), problem)
			}
			l.close()
		})
	}
}

// Past spoolLogCompact of delivered records the log is rewritten to the
// returns that wait; each append is noted to the group commit.
func TestSpoolLogCompacts(t *testing.T) {
	dir := t.TempDir()
	c, err := fsutil.NewCommitter(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, _, _ := openSpoolLog(dir)
	l.commit = c
	l.put("20260101000000000000", []byte("waits")) // keeps the log from emptying
	big := make([]byte, 64<<10)
	for i := range 40 {
		jid := fmt.Sprintf("2026010100000%07d", i+1)
		l.put(jid, big)
		l.done(jid)
	}
	fi, _ := os.Stat(l.path)
	if fi.Size() > spoolLogCompact {
		t.Errorf("log of %d bytes, over %d: not compacted", fi.Size(), spoolLogCompact)
	}
	if b, err := l.read("20260101000000000000"); err != nil || string(b) != "waits" {
		t.Errorf("after compaction: %q %v", b, err)
	}
	if c.Last() < 80 {
		t.Errorf("%d writes noted to the group commit, want one per append", c.Last())
	}
	l.close()
	if l, problem, err := openSpoolLog(dir); err != nil || problem != nil || len(l.jids()) != 1 {
		t.Errorf("compacted log reopened: %v %v %v", l.jids(), problem, err)
	}
}

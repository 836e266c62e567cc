package minion

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A publish replayed with a jid the minion took is not run again, neither
// in the same run nor after a restart on the same cachedir; once the window
// of minion_jid_queue_hwm jids is full, a jid older than all of it is
// refused too. Each refusal is a warning naming the jid, and counted.
func TestReplayedPublishNotRunAgain(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "minion_jid_queue_hwm: 3\n")
	r1 := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	fm.waitReturn(jid)
	r1.stop(t)

	r2 := e.start(r1.addr)
	waitFor(t, "a second pillar request", func() bool { return fm.count(isCmd("_pillar")) >= 2 })
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	line := e.hook.wait(t, "Refusing job "+jid, 1)[0]
	if !strings.HasPrefix(line, "WARNING") || !strings.Contains(line, "run this jid already") {
		t.Errorf("replay logged as %q", line)
	}
	if n := r2.m.Stats()["publish_jid_seen"]; n != 1 {
		t.Errorf("publish_jid_seen = %d, want 1", n)
	}

	// Fill the window with newer jobs; the first jid then falls out of it
	// and is refused as too old, as is any older one.
	for range 3 {
		j := newJID()
		fm.publish("m1_minion", pubLoad(j, "*", "glob", "test.ping"))
		fm.waitReturn(j)
	}
	old := "20250101000000000001"
	fm.publish("m1_minion", pubLoad(old, "*", "glob", "test.ping"))
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	e.hook.wait(t, "Refusing job "+old, 1)
	e.hook.wait(t, "Refusing job "+jid, 2)
	if n := r2.m.Stats()["publish_jid_too_old"]; n != 2 {
		t.Errorf("publish_jid_too_old = %d, want 2", n)
	}
	if n := fm.count(isReturn(jid)); n != 1 {
		t.Errorf("job %s returned %d times, want once", jid, n)
	}
	if n := fm.count(isReturn(old)); n != 0 {
		t.Errorf("the old job %s ran", old)
	}
}

func TestJIDQueueFile(t *testing.T) {
	dir := t.TempDir()
	q, problems, err := openJIDQueue(dir, 2)
	if err != nil || len(problems) != 0 {
		t.Fatal(err, problems)
	}
	for _, j := range []string{"20260101000000000003", "20260101000000000001", "20260101000000000002"} {
		if err := q.admit(j); err != nil {
			t.Fatalf("admit %s: %v", j, err)
		}
	}
	if err := q.admit("20260101000000000001"); !errors.Is(err, ErrJIDTooOld) {
		t.Errorf("admit of a jid dropped from the window: %v", err)
	}
	// The log holds at most 2×hwm lines; reopened, it is the same window.
	data, _ := os.ReadFile(filepath.Join(dir, JIDQueueFile))
	if n := strings.Count(string(data), "\n"); n > 4 {
		t.Errorf("queue file of %d lines, more than 2×hwm: %q", n, data)
	}
	q.close()
	q, problems, err = openJIDQueue(dir, 2)
	if err != nil || len(problems) != 0 {
		t.Fatal(err, problems)
	}
	if !slices.Equal(q.jids, []string{"20260101000000000002", "20260101000000000003"}) {
		t.Errorf("queue reopened as %v", q.jids)
	}
	// A damaged file: what is valid counts, the rest is named.
	if err := os.WriteFile(filepath.Join(dir, JIDQueueFile), []byte("20260101000000000005\ngarbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	q, problems, err = openJIDQueue(dir, 2)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Error(), JIDQueueFile+":2") {
		t.Fatalf("open damaged queue: %v %v", err, problems)
	}
	if err := q.admit("20260101000000000005"); !errors.Is(err, ErrJIDSeen) {
		t.Errorf("admit of a remembered jid: %v", err)
	}
}

// Salt's back-off: the wait doubles after each try while below the
// maximum, and a maximum of 0 means no growth.
func TestAcceptanceWait(t *testing.T) {
	for _, c := range []struct {
		base, max time.Duration
		want      []time.Duration
	}{
		{10 * time.Second, 0, []time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}},
		{10 * time.Second, 25 * time.Second, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 40 * time.Second}},
		{0, 0, []time.Duration{0, 0}},
	} {
		var cur, wait time.Duration
		for i, want := range c.want {
			wait, cur = acceptanceWait(cur, c.base, c.max)
			if wait != want {
				t.Errorf("base %v max %v: wait %d is %v, want %v", c.base, c.max, i, wait, want)
			}
		}
	}
}

// BenchmarkJIDQueueAdmit is the cost a publish pays to be remembered on
// disk before it runs (the queue full at the default 100).
func BenchmarkJIDQueueAdmit(b *testing.B) {
	q, _, err := openJIDQueue(b.TempDir(), 100)
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		if err := q.admit(fmt.Sprintf("2026010100000%07d", i)); err != nil {
			b.Fatal(err)
		}
	}
}

// Every publish the minion refuses is counted by its reason.
func TestRefusedPublishesCounted(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	fm.publish("m1_minion", pubLoad("../etc", "*", "glob", "test.ping"))
	fm.publish("m1_minion", pubLoad(newJID(), "(", "pcre", "test.ping"))
	waitFor(t, "both refusals counted", func() bool {
		st := r.m.Stats()
		return st["publish_bad_jid"] == 1 && st["publish_bad_target"] == 1
	})
}

// The queue file is a log of the jids taken: what was appended is there
// after a restart, and a line a crash cut short is named, then dropped by
// the rewrite of the first jid taken after it.
func TestJIDQueueLog(t *testing.T) {
	dir := t.TempDir()
	q, _, err := openJIDQueue(dir, 5)
	if err != nil {
		t.Fatal(err)
	}
	jids := []string{"20260101000000000001", "20260101000000000002", "20260101000000000003"}
	for _, j := range jids {
		if err := q.admit(j); err != nil {
			t.Fatal(err)
		}
	}
	q.close()
	f, err := os.OpenFile(filepath.Join(dir, JIDQueueFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("2026010100") // a write cut short
	f.Close()
	q, problems, err := openJIDQueue(dir, 5)
	if err != nil || len(problems) != 1 {
		t.Fatalf("reopen: %v %v", err, problems)
	}
	for _, j := range jids {
		if err := q.admit(j); !errors.Is(err, ErrJIDSeen) {
			t.Errorf("admit %s after a restart: %v", j, err)
		}
	}
	if err := q.admit("20260101000000000004"); err != nil {
		t.Fatal(err)
	}
	q.close()
	data, _ := os.ReadFile(filepath.Join(dir, JIDQueueFile))
	if want := strings.Join(append(jids, "20260101000000000004"), "\n") + "\n"; string(data) != want {
		t.Errorf("queue file %q, want %q", data, want)
	}
}

// Past its window the log is rewritten one job in hwm, never holds more
// than 2×hwm lines, and a restart still finds the newest hwm jids.
func TestJIDQueueLogBounded(t *testing.T) {
	dir := t.TempDir()
	const hwm = 4
	q, _, err := openJIDQueue(dir, hwm)
	if err != nil {
		t.Fatal(err)
	}
	var jids []string
	for i := range 10 * hwm {
		j := fmt.Sprintf("2026010100000%07d", i)
		jids = append(jids, j)
		if err := q.admit(j); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(dir, JIDQueueFile))
		if n := strings.Count(string(data), "\n"); n > 2*hwm {
			t.Fatalf("after %d jids the file has %d lines", i+1, n)
		}
	}
	q.close()
	q, problems, err := openJIDQueue(dir, hwm)
	if err != nil || len(problems) != 0 {
		t.Fatal(err, problems)
	}
	if want := jids[len(jids)-hwm:]; !slices.Equal(q.jids, want) {
		t.Errorf("reopened as %v, want %v", q.jids, want)
	}
	if err := q.admit(jids[len(jids)-1]); !errors.Is(err, ErrJIDSeen) {
		t.Errorf("the newest jid after a restart: %v", err)
	}
}

package master

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// A corrupt accepted/<id> refuses the minion with one error naming the
// file and why, however often the minion tries; once repaired the minion
// joins, and a later breakage is logged again.
func TestCorruptAcceptedKeyLoggedOnce(t *testing.T) {
	tm := newMaster(t, "").start()
	mn := newMinion(t, tm, "n1")
	mn.accept(tm)
	path := tm.m.store.Path(raet.Accepted, "n1")
	if !strings.HasSuffix(path, "/accepted/n1") {
		t.Fatalf("path %s", path)
	}
	if err := os.WriteFile(path, []byte("\x93garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		joinUntilStat(tm, mn, "key_file_error", uint64(i+1))
	}
	errorLines := func() []string {
		var out []string
		for _, l := range strings.Split(tm.logs.String(), "\n") {
			if strings.Contains(l, "ERROR") && strings.Contains(l, path) {
				out = append(out, l)
			}
		}
		return out
	}
	lines := errorLines()
	if len(lines) != 1 || !strings.Contains(lines[0], "Refusing minion n1: key file "+path+" is unreadable") ||
		!strings.Contains(lines[0], "not a msgpack map") {
		t.Fatalf("error lines naming %s: %q", path, lines)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	mn.accept(tm)
	mn.join(tm)
	eventually(t, "n1 allowed after the repair", func() bool {
		for _, rs := range tm.m.road.Remotes() {
			if rs.Role == "n1" && rs.Allowed == road.Yes {
				return true
			}
		}
		return false
	})
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Joins of the first breakage still being decided may count before
	// this one is judged: the second line is what says it was.
	before := tm.m.Stats()["key_file_error"]
	joinUntilStat(tm, mn, "key_file_error", before+1)
	eventually(t, "a second error line after a second breakage", func() bool { return len(errorLines()) >= 2 })
	if n := len(errorLines()); n != 2 {
		t.Fatalf("%d error lines after a second breakage, want 2", n)
	}
}

// A second return for a job is refused with a warning naming the minion
// and the jid, and counted: a replayed return is never silent.
func TestDuplicateReturnWarned(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	web1.waitPub()
	web1.ret(tm.m.EstateName(), jid, "web1")
	tm.waitStat("return", 1)
	web1.ret(tm.m.EstateName(), jid, "web1")
	tm.waitStat("duplicate_return", 1)
	for _, l := range strings.Split(tm.logs.String(), "\n") {
		if strings.Contains(l, "WARNING") && strings.Contains(l, "second return from web1 for job "+jid) {
			return
		}
	}
	t.Fatalf("no warning naming web1 and %s:\n%s", jid, tm.logs.String())
}

// A key deleted while its minion is connected comes back pending, judged
// on the keys the minion joined with, as a Salt minion re-authenticating
// after a deletion would; once accepted again the minion is served on the
// session it kept.
func TestKeyDeletedWhileConnectedIsPendingAgain(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	if err := tm.m.store.Delete("web1"); err != nil {
		t.Fatal(err)
	}
	tm.waitStat("key_judged_again", 1)
	k, err := tm.m.store.Get("web1")
	if err != nil || k.Status != raet.Pending || k.Pub != web1.priv.PubHex() || k.Verify != web1.signer.VerHex() {
		t.Fatalf("web1's key after the deletion: %+v, %v", k, err)
	}
	if err := tm.m.store.Accept("web1"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, tm)
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	if got := get(web1.waitPub(), "pub", "jid"); got != jid {
		t.Fatalf("publish %v, want jid %s", got, jid)
	}
}

// A key file that breaks behind a live session stops the minion's jobs:
// the publish is reported undelivered, naming the file, and never sent,
// whose return would be refused anyway; once the file is repaired the
// minion is published to again.
func TestBrokenKeyOfConnectedMinionNotPublished(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	path := tm.m.store.Path(raet.Accepted, "web1")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("\x93garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the broken key found by the review", func() bool { return tm.m.judge.brokenKey("web1") != nil })
	c := newClient(t, tm)
	c.subscribe()
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	e := c.waitTag(UndeliveredTag(jid, "web1"))
	if msg, _ := get(e.data, "error").(string); !strings.Contains(msg, path) {
		t.Fatalf("undelivered event %v does not name %s", e.data, path)
	}
	select {
	case p := <-web1.pubs:
		t.Fatalf("web1 was sent %v with its key file broken", p)
	default:
	}

	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the repaired key found by the review", func() bool { return tm.m.judge.brokenKey("web1") == nil })
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid2, _ := get(c.reply(), "return", "ret", "jid").(string)
	if got := get(web1.waitPub(), "pub", "jid"); got != jid2 {
		t.Fatalf("publish %v after the repair, want jid %s", got, jid2)
	}
}

// joinUntilStat joins until the master's counter reaches n. Under load a
// join can still be under way on the minion's side when the next is
// asked for, which then starts none; a later one does.
func joinUntilStat(tm *tmaster, mn *minion, key string, n uint64) {
	tm.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		mn.join(tm)
		for again := time.Now().Add(2 * time.Second); time.Now().Before(again); time.Sleep(5 * time.Millisecond) {
			if tm.m.Stats()[key] >= n {
				return
			}
		}
	}
	tm.t.Fatalf("counter %s stayed at %d, want %d; stats %v", key, tm.m.Stats()[key], n, tm.m.Stats())
}

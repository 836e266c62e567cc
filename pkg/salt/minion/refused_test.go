package minion

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// A minion the master rejects joins again after acceptance_wait_time, so
// that the operator's fix (here: the rejected key deleted, the master
// accepting on its own) takes effect without a restart of the minion.
func TestRejectedMinionJoinsAgainAfterAcceptanceWait(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	rejected := filepath.Join(fm.dir, "pki", "rejected", "m1")
	if err := os.WriteFile(rejected, []byte("rejected by the operator"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, fm.addr, "acceptance_wait_time: 0.2\nacceptance_wait_time_max: 0.8\n")
	r := e.start("127.0.0.1:0")

	line := e.hook.wait(t, "refused this minion", 1)[0]
	if !strings.HasPrefix(line, "ERROR") || !strings.Contains(line, "joining it again in 200ms") {
		t.Errorf("first refusal logged as %q", line)
	}
	// The retries back off, quietly: one error for the whole refusal.
	e.hook.wait(t, "waiting 800ms before the next join", 1)
	if n := len(e.hook.wait(t, "ERROR Master", 1)); n != 1 {
		t.Errorf("%d refusals logged at error, want 1", n)
	}
	if err := os.Remove(rejected); err != nil {
		t.Fatal(err)
	}
	fm.waitCmd("_pillar request after the key was fixed", isCmd("_pillar"))
	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "test.ping"))
	checkReturn(t, fm.waitReturn(jid), jid, "test.ping", true, 0, []any{}, "")
	if r.m.Stats()["master_refused"] < 3 {
		t.Errorf("stats %v", r.m.Stats())
	}
}

// The minion joins a refused master again and again; the reason it
// refuses the master's key is logged once, until the decision changes.
func TestMasterRefusalLoggedOnce(t *testing.T) {
	store, err := pki.Open(filepath.Join(t.TempDir(), "pki"), pki.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	oldSigner, oldPriv := keysFor(t, "old")
	newSigner, newPriv := keysFor(t, "new")
	if st, err := store.Status(masterRole, oldPriv.PubHex(), oldSigner.VerHex()); err != nil || st != raet.Accepted {
		t.Fatal(st, err)
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	hook := &logHook{changed: make(chan struct{})}
	log.AddHook(hook)
	a := &masterAcceptor{store: store, log: log}
	for range 3 {
		if st, _ := a.StatusRole(masterRole, newSigner.VerHex(), newPriv.PubHex()); st != raet.Rejected {
			t.Fatalf("changed key %v", st)
		}
	}
	if n := len(hook.wait(t, "Refusing master", 1)); n != 1 {
		t.Errorf("refusal logged %d times, want once", n)
	}
	a.StatusRole(masterRole, oldSigner.VerHex(), oldPriv.PubHex()) // accepted: forgets
	a.StatusRole(masterRole, newSigner.VerHex(), newPriv.PubHex())
	if n := len(hook.wait(t, "Refusing master", 2)); n != 2 {
		t.Errorf("refusal after an accept logged %d times in all, want 2", n)
	}
}

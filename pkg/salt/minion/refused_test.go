package minion

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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

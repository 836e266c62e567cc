package minion

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// waitPending waits until a timer of f is armed for at.
func waitPending(t *testing.T, f *clock.Fake, at time.Time) {
	t.Helper()
	waitFor(t, "a timer armed for "+at.String(), func() bool { return slices.ContainsFunc(f.Pending(), at.Equal) })
}

// joinState is the first master's uid on the road (0: none) and when it
// is to be joined again.
func (r *running) joinState() (uint32, time.Time) {
	r.m.masters.mu.Lock()
	defer r.m.masters.mu.Unlock()
	ms := r.m.masters.list[0]
	return ms.uid, ms.retryAt
}

// The acceptance wait on the fake clock: a minion the master refuses joins
// it again after acceptance_wait_time, not a millisecond before, the wait
// doubling up to acceptance_wait_time_max; once the master accepts the
// key, the next join takes.
func TestAcceptanceWaitOnTheFakeClock(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	rejected := filepath.Join(fm.dir, "pki", "rejected", "m1")
	if err := os.WriteFile(rejected, []byte("rejected by the operator"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, fm.addr, "acceptance_wait_time: 5\nacceptance_wait_time_max: 10\n")
	f := clock.NewFake()
	t0 := f.Now()
	// The spool's retries an hour apart, out of the way of the joins.
	r := e.start("127.0.0.1:0", WithClock(f), WithRetryInterval(time.Hour))

	// Four joins in all: the master takes no more vacuous joins from one
	// address at once (road.DefaultVacuousJoinBurst), and the fake clock
	// gives its limiter no time to refill.
	at := t0
	for i, wait := range []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second} {
		waitFor(t, "refusal", func() bool { return r.m.Stats()["master_refused"] > uint64(i) })
		at = at.Add(wait)
		if uid, retry := r.joinState(); uid != 0 || !retry.Equal(at) {
			t.Fatalf("refusal %d: uid %d, joining again at %v; want at %v", i+1, uid, retry, at)
		}
		waitPending(t, f, at) // the run loop sleeps until then
		if i == 2 {
			// The operator deletes the rejected key: the next join is
			// accepted.
			if err := os.Remove(rejected); err != nil {
				t.Fatal(err)
			}
		}
		f.Advance(wait - time.Millisecond)
		if uid, _ := r.joinState(); uid != 0 {
			t.Fatalf("refusal %d: joined again before the acceptance wait (%v) passed", i+1, wait)
		}
		if n := r.m.Stats()["master_refused"]; n != uint64(i+1) {
			t.Fatalf("refusal %d: %d refusals before the acceptance wait passed", i+1, n)
		}
		f.Advance(time.Millisecond)
	}
	fm.waitCmd("_pillar request after the key was fixed", isCmd("_pillar"))
	if n := r.m.Stats()["master_refused"]; n != 3 {
		t.Errorf("%d refusals, want 3", n)
	}
	// The wait doubled once, then stayed at acceptance_wait_time_max.
	e.hook.wait(t, "joining it again in 5s", 1)
	if n := len(e.hook.wait(t, "waiting 10s before the next join", 2)); n != 2 {
		t.Errorf("%d waits of 10s, want 2", n)
	}
}

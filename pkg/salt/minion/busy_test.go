package minion

import (
	"slices"
	"sync"
	"testing"
)

// The daemon hears when the minion's first job begins and when its last
// ends: once each for jobs that overlap (WithBusy, by which it gives the
// process its cores while jobs run).
func TestBusyWhileJobsRun(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "multiprocessing: False\n")
	var mu sync.Mutex
	var told []bool
	heard := func() []bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(told)
	}
	r := e.start("127.0.0.1:0", WithBusy(func(busy bool) {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, busy)
	}))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	if got := heard(); len(got) != 0 {
		t.Fatalf("told %v before any job", got)
	}

	runJob(t, fm, "test.ping")
	waitFor(t, "the job's end to be told", func() bool { return len(heard()) == 2 })

	long := newJID()
	fm.publish("m1_minion", pubLoad(long, "m1", "glob", "test.sleep", "3"))
	waitFor(t, "test.sleep to run", func() bool {
		for _, rec := range r.m.Running() {
			if rec["jid"] == long {
				return true
			}
		}
		return false
	})
	runJob(t, fm, "test.ping") // begins and ends while test.sleep runs
	if got, want := heard(), []bool{true, false, true}; !slices.Equal(got, want) {
		t.Fatalf("with test.sleep still running, told %v, want %v", got, want)
	}
	fm.waitReturn(long)
	waitFor(t, "the last job's end to be told", func() bool { return len(heard()) == 4 })
	if got, want := heard(), []bool{true, false, true, false}; !slices.Equal(got, want) {
		t.Fatalf("told %v, want %v", got, want)
	}
}

package main

import (
	"runtime"
	"testing"
	"time"
)

// While a job runs the daemon has every processor; once the linger after
// the last job has passed, one; a job that begins before then keeps them.
func TestProcsFollowJobs(t *testing.T) {
	full := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(full) })
	p := &procs{full: max(full, 2)}
	p.idle = time.AfterFunc(time.Hour, p.lower) // the test lowers by hand
	t.Cleanup(func() { p.idle.Stop() })

	p.set(true)
	if got := runtime.GOMAXPROCS(0); got != p.full {
		t.Fatalf("a job runs: GOMAXPROCS %d, want %d", got, p.full)
	}
	p.set(false)
	p.set(true) // another job before the linger passed
	p.lower()   // the linger's timer, late
	if got := runtime.GOMAXPROCS(0); got != p.full {
		t.Fatalf("a job began within the linger: GOMAXPROCS %d, want %d", got, p.full)
	}
	p.set(false)
	p.lower()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("no job, linger passed: GOMAXPROCS %d, want 1", got)
	}
	p.set(true)
	if got := runtime.GOMAXPROCS(0); got != p.full {
		t.Fatalf("a job after the idle spell: GOMAXPROCS %d, want %d", got, p.full)
	}
}

// GOMAXPROCS in the environment rules: the daemon leaves it alone.
func TestProcsLeaveTheEnvironmentsSetting(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2")
	if governProcs() != nil {
		t.Fatal("GOMAXPROCS is set, yet the daemon would govern it")
	}
}

package minion

import (
	"os"
	"slices"
	"testing"
	"time"
)

// The figures of issue 14's job processes: test.ping from publish to
// return with each job in a process of its own and in the minion
// (multiprocessing: false), and saltutil.kill_job of a test.sleep 60 from
// the kill's publish to the killed job's return; the median of 20 each.
// They assert no time; they run under SALTRAET_FIGURES:
//
//	SALTRAET_FIGURES=1 go test ./pkg/salt/minion -run FigureJob -v
func TestFigureJobLatency(t *testing.T) {
	if os.Getenv("SALTRAET_FIGURES") == "" {
		t.Skip("a figure, not a check: set SALTRAET_FIGURES=1 to measure it")
	}
	for _, mode := range []struct{ name, conf string }{{"job process", ""}, {"in the minion", "multiprocessing: false\n"}} {
		fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
		e := newEnv(t, fm.addr, mode.conf)
		e.start("127.0.0.1:0")
		fm.waitCmd("_pillar request", isCmd("_pillar"))
		runJob(t, fm, "test.ping") // warm: the first start reads the program from disk
		t.Logf("test.ping, %s: median %v of 20", mode.name, median(20, func() time.Duration {
			began := time.Now()
			runJob(t, fm, "test.ping")
			return time.Since(began)
		}))
	}
	fm, _, r := startJoined(t)
	t.Logf("kill_job to the killed job's return: median %v of 20", median(20, func() time.Duration {
		long, _ := startJob(t, fm, r, "test.sleep", "60")
		began := time.Now()
		runJob(t, fm, "saltutil.kill_job", long)
		fm.waitReturn(long)
		return time.Since(began)
	}))
}

// median runs f n times and returns the median of the times it measured.
func median(n int, f func() time.Duration) time.Duration {
	times := make([]time.Duration, n)
	for i := range times {
		times[i] = f()
	}
	slices.Sort(times)
	return times[n/2]
}

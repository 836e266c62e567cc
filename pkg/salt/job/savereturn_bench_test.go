package job_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// BenchmarkSaveReturn is the job cache's cost per return as the master
// pays it: group commit on (no fsync per file; the syncs are not counted),
// jobs of fanOut minions each, test.ping's return (the same bytes from
// every minion) or one that differs by minion. "path" is Cache.SaveReturn
// behind the writer (Behind.Do, the master before), "behind" the master's
// writer now (Behind.SaveReturn). cpu-ns/op is the
// process's CPU per return: ns/op counts the waits on a shared disk too.
func BenchmarkSaveReturn(b *testing.B) {
	for _, fanOut := range []int{500, 5000} {
		for _, how := range []string{"path", "behind", "behind-distinct"} {
			b.Run(fmt.Sprintf("minions=%d/%s", fanOut, how), func(b *testing.B) {
				benchSaveReturn(b, fanOut, how)
			})
		}
	}
}

func benchSaveReturn(b *testing.B, fanOut int, how string) {
	c, err := job.OpenCache(b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	if err := c.GroupCommit(func(err error) { b.Error(err) }); err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	w := c.WriteBehind(func(err error) { b.Error(err) })
	defer w.Close()
	ids := make([]string, fanOut)
	for i := range ids {
		ids[i] = fmt.Sprintf("minion-%05d", i)
	}
	ret := func(id string) body.Map {
		r := body.Map{{Key: "return", Value: true}, {Key: "retcode", Value: 0}, {Key: "success", Value: true}}
		if how == "behind-distinct" {
			r[0].Value = id
		}
		return r
	}
	var jid string
	var gen job.JIDGen
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	for i := range b.N {
		if i%fanOut == 0 {
			b.StopTimer()
			w.Flush()
			if jid, err = c.PrepJID(&gen); err != nil {
				b.Fatal(err)
			}
			c.CommitSoon()
			b.StartTimer()
		}
		id := ids[i%fanOut]
		if how == "path" {
			r := ret(id)
			w.Do(func(c *job.Cache) error { return c.SaveReturn(jid, id, r) }, nil)
			continue
		}
		w.SaveReturn(jid, id, ret(id), nil)
	}
	w.Flush()
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is the process's user and system time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

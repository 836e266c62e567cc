package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// settle is how long the master is left alone before its idle CPU is
// measured: after a job to thousands of minions the job cache's writer
// and the tail of the returns' acks run on for seconds, and counted as
// idle they were taken out of the jobs' CPU (at 2,000 minions the idle
// read 254 ms/s right after the first ping, 54 ms/s a little later).
const settle = 5 * time.Second

// The idle CPU is measured in windows of idleWindow until two in a row
// agree within a fifth, at most idleMax: a window of keep-alives is a few
// hundred of them at 500 minions. Before the jobs it is printed only (see
// fanOut.print).
const (
	idleWindow = 4 * time.Second
	idleMax    = time.Minute
)

// fanOut is what the back-to-back jobs measured.
type fanOut struct {
	n, jobs, lost         int
	walls, cpus           []time.Duration // each job's salt command, the master's CPU meanwhile
	total, cpu            time.Duration   // wall and master CPU of all jobs
	idleBefore, idleAfter float64         // master CPU per second, no job
	stored                int             // returns the job cache got meanwhile
	timeout               time.Duration   // the salt command's -t
}

// jobs runs the back-to-back test.ping jobs to all and measures the
// master's CPU through them, its idle CPU before and after.
func (r *run) jobs(jobs int, floor time.Duration) (*fanOut, error) {
	f := &fanOut{n: r.n, jobs: jobs, timeout: pingTimeout}
	time.Sleep(settle)
	f.idleBefore = r.idleRate()
	stored0 := r.storedReturns()
	cpu0, start := cpuTime(r.master.Process.Pid), time.Now()
	for range jobs {
		c0 := cpuTime(r.master.Process.Pid)
		wall, got, err := r.ping()
		if err != nil {
			return nil, err
		}
		f.walls = append(f.walls, wall)
		f.cpus = append(f.cpus, cpuTime(r.master.Process.Pid)-c0)
		f.lost += r.n - got
	}
	f.total = time.Since(start)
	f.cpu = cpuTime(r.master.Process.Pid) - cpu0
	// The returns written behind the last job, then the idle again: a
	// master whose keep-alives cost more after the jobs (or less, the
	// first idle still settling) shows as two figures apart.
	time.Sleep(settle)
	f.stored = r.storedReturns() - stored0
	f.idleAfter = r.idleRate()
	return f, nil
}

// idleRate is the master's CPU per second once it is steady: the mean of
// the first two windows in a row that agree within a fifth, or of the
// last two at idleMax.
func (r *run) idleRate() float64 {
	window := func() float64 {
		cpu0, start := cpuTime(r.master.Process.Pid), time.Now()
		time.Sleep(idleWindow)
		return float64(cpuTime(r.master.Process.Pid)-cpu0) / time.Since(start).Seconds()
	}
	prev := window()
	for end := time.Now().Add(idleMax); ; {
		cur := window()
		if d := cur - prev; (d < 0 && -d <= cur/5) || (d >= 0 && d <= prev/5) || time.Now().After(end) {
			return (prev + cur) / 2
		}
		prev = cur
	}
}

// storedReturns counts the <minion>/return.p files of the master's job
// cache: the returns of the pings and of any saltutil.find_job round a
// salt command ran after its timeout, which the master served as well.
func (r *run) storedReturns() int {
	n := 0
	root := filepath.Join(r.root, "var", "cache", "salt", "master", "jobs")
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "return.p" {
			n++
		}
		return nil
	})
	return n
}

func (f *fanOut) print(floor time.Duration) {
	walls := slices.Clone(f.walls)
	slices.Sort(walls)
	slow := 0
	for _, w := range walls {
		if w >= f.timeout {
			slow++
		}
	}
	returns := f.jobs * f.n
	fmt.Printf("%d back-to-back test.ping to all: %v (%v per job: min %v, median %v, max %v; %d waited out the -t %v), %.0f returns/s; lost returns %d\n",
		f.jobs, f.total.Round(time.Millisecond), (f.total / time.Duration(f.jobs)).Round(time.Millisecond),
		walls[0].Round(time.Millisecond), walls[len(walls)/2].Round(time.Millisecond), walls[len(walls)-1].Round(time.Millisecond),
		slow, f.timeout, float64(returns)/f.total.Seconds(), f.lost)
	// The idle after the jobs is taken out: before them the master may
	// still be serving the storm's tail (the minions' first pillar
	// requests and the road keep's writes, 180 ms/s at 2,000 minions
	// against 56 ms/s after), which then counts in the jobs' CPU: the
	// figure errs high, not low.
	idle := f.idleAfter
	fan := f.cpu - time.Duration(idle*f.total.Seconds())
	perRet := fan / time.Duration(returns)
	fmt.Printf("master: idle %v/s before the jobs, %v/s after (the one after taken out); CPU %v per job to all, %v per return (%v with the idle); crypto floor %v per return: %.1f× the floor\n",
		time.Duration(f.idleBefore).Round(time.Microsecond), time.Duration(f.idleAfter).Round(time.Microsecond),
		(fan / time.Duration(f.jobs)).Round(time.Microsecond), perRet.Round(time.Microsecond),
		(f.cpu / time.Duration(returns)).Round(time.Microsecond), floor, float64(perRet)/float64(floor))
	// Each job's CPU less the idle over its wall time: the median is not
	// moved by a job that waited out its -t, whose wall time makes the
	// idle's error large.
	per := make([]time.Duration, len(f.cpus))
	for i := range f.cpus {
		per[i] = (f.cpus[i] - time.Duration(idle*f.walls[i].Seconds())) / time.Duration(f.n)
	}
	slices.Sort(per)
	med := per[len(per)/2]
	fmt.Printf("master: per return, job by job: median %v (%.1f× the floor), min %v, max %v\n",
		med.Round(time.Microsecond), float64(med)/float64(floor), per[0].Round(time.Microsecond), per[len(per)-1].Round(time.Microsecond))
	if f.stored != returns && f.stored > 0 {
		per := fan / time.Duration(f.stored)
		fmt.Printf("master: %d returns stored in the job cache meanwhile, not %d (find_job rounds, or returns lost): %v per return stored, %.1f× the floor\n",
			f.stored, returns, per.Round(time.Microsecond), float64(per)/float64(floor))
	}
}

// countLog counts the lines of the master's log holding s.
func (r *run) countLog(s string) int {
	b, _ := os.ReadFile(filepath.Join(r.logDir, "master.log"))
	return strings.Count(string(b), s)
}

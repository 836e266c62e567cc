package modules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/proctree"
)

// signal_job signals a job's process and the processes it started; a job
// whose process is gone is cleaned up; an unknown job gives ""; a job with
// the minion's pid (this process, or the parent of a job process) is not
// signalled.
func TestSignalJob(t *testing.T) {
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "proc"), 0o700); err != nil {
		t.Fatal(err)
	}
	job := exec.Command("/bin/sh", "-c", "sleep 60 & wait")
	if err := job.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := make(chan error, 1)
	go func() { reaped <- job.Wait() }()
	gone := exec.Command("/bin/true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	procFile := filepath.Join(cache, "proc", "2")
	if err := os.WriteFile(procFile, []byte{0x80}, 0o600); err != nil {
		t.Fatal(err)
	}
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: cache}}, Jobs: fakeJobs{
		{"jid": "1", "pid": job.Process.Pid, "fun": "cmd.run"},
		{"jid": "2", "pid": gone.Process.Pid, "fun": "test.sleep"},
		{"jid": "3", "pid": os.Getpid(), "fun": "test.sleep"},
		{"jid": "4", "pid": os.Getppid(), "fun": "test.sleep"},
	}})
	var below []int
	testutil.WaitFor(t, "the job's sleep", 20*time.Second, func() bool {
		below = proctree.Descendants("", job.Process.Pid)
		return len(below) == 1
	})
	wantOK(t, run(e, "saltutil.kill_job", "1"), fmt.Sprintf("Signal 9 sent to job 1 at pid %d", job.Process.Pid))
	if err := <-reaped; err == nil || err.Error() != "signal: killed" {
		t.Errorf("the job's process ended with %v", err)
	}
	testutil.WaitFor(t, "the job's sleep to end", 20*time.Second, func() bool {
		// killed, it is init's to reap: gone, or a zombie
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", below[0]))
		return err != nil || strings.Contains(string(data), ") Z ")
	})
	wantOK(t, run(e, "saltutil.signal_job", "2", 15), "Job 2 was not running and job data has been cleaned up")
	if _, err := os.Stat(procFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the proc file of the job that was not running: %v", err)
	}
	wantOK(t, run(e, "saltutil.term_job", "5"), "")
	wantError(t, run(e, "saltutil.kill_job", "3"), "ERROR: job 3 has no process of its own")
	wantError(t, run(e, "saltutil.kill_job", "4"), "ERROR: job 4 has no process of its own")
	wantOK(t, run(e, "saltutil.signal_job", "9", "x"), "")
	wantError(t, run(e, "saltutil.signal_job", "2", "x"), "The minion function caused an exception: ValueError")
}

// kill_all_jobs signals every running job but the caller, one sentence
// each.
func TestKillAllJobs(t *testing.T) {
	gone := exec.Command("/bin/true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: t.TempDir()}}, Jobs: fakeJobs{
		{"jid": "20261122034501123456", "pid": os.Getpid(), "fun": "saltutil.kill_all_jobs"},
		{"jid": "5", "pid": gone.Process.Pid, "fun": "test.sleep"},
	}})
	wantOK(t, run(e, "saltutil.kill_all_jobs"), []any{"Job 5 was not running and job data has been cleaned up"})
	wantOK(t, run(e, "saltutil.term_all_jobs"), []any{"Job 5 was not running and job data has been cleaned up"})
}

// clear_cache removes every file under the cachedir but the return spool.
func TestClearCache(t *testing.T) {
	cache := t.TempDir()
	for _, f := range []string{"proc/1", "files/base/top.sls", "raet_returns/2", "minion_id"} {
		path := filepath.Join(cache, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := New(Options{Config: &config.Minion{Common: config.Common{Cachedir: cache}}})
	wantOK(t, run(e, "saltutil.clear_cache"), true)
	for f, want := range map[string]bool{"proc/1": false, "files/base/top.sls": false, "raet_returns/2": true, "minion_id": false} {
		if _, err := os.Stat(filepath.Join(cache, f)); (err == nil) != want {
			t.Errorf("%s kept: %v, want %v", f, err == nil, want)
		}
	}
}

// refresh_grains reloads the grains, then the pillar unless told not to,
// and refuses other keywords as Salt does.
func TestRefreshGrains(t *testing.T) {
	var grains, pillars int
	pillarDone := make(chan struct{}, 2)
	e := New(Options{
		RefreshGrains: func(context.Context) error { grains++; return nil },
		RefreshPillar: func(context.Context) error { pillars++; pillarDone <- struct{}{}; return nil },
	})
	wantOK(t, run(e, "saltutil.refresh_grains"), true)
	<-pillarDone
	wantOK(t, run(e, "saltutil.refresh_grains", body.Map{{Key: "__kwarg__", Value: true}, {Key: "refresh_pillar", Value: false}}), true)
	if !e.WaitBackground(20*time.Second) || grains != 2 || pillars != 1 {
		t.Errorf("grains refreshed %d times, pillar %d; want 2 and 1", grains, pillars)
	}
	wantError(t, run(e, "saltutil.refresh_grains", body.Map{{Key: "__kwarg__", Value: true}, {Key: "bad", Value: 1}}),
		"ERROR executing 'saltutil.refresh_grains': The following keyword arguments are not valid: bad=1")
	failing := New(Options{RefreshGrains: func(context.Context) error { return errors.New("no grains file") }})
	wantError(t, run(failing, "saltutil.refresh_grains"), "ERROR: The grains were not refreshed: no grains file")
}

package modules

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/internal/proctree"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// backgroundTimeout bounds the work a function leaves running after it
// returned, such as the pillar refresh of refresh_grains.
const backgroundTimeout = 60 * time.Second

// defaultCachedir is Salt's minion cachedir, for an Executor without a
// config.
const defaultCachedir = "/var/cache/salt/minion"

// saltutilJobFuncs is saltutil's job control: signals to the running jobs
// (each in a process of its own, multiprocessing: True), the cache, and the
// grains refresh.
func saltutilJobFuncs() []Func {
	jid := []Param{{Name: "jid", Required: true}}
	return []Func{
		{Name: "saltutil.signal_job", Params: []Param{{Name: "jid", Required: true}, {Name: "sig", Required: true}},
			Doc:  "Sends a signal to the named salt job's process\n\nCLI Example:\n\n    salt '*' saltutil.signal_job <job id> 15",
			Call: func(c *Call) (any, error) { return signalJob(c, py.Str(c.Arg("jid")), c.Arg("sig")) }},
		{Name: "saltutil.term_job", Params: jid,
			Doc:  "Sends a termination signal (SIGTERM 15) to the named salt job's process\n\nCLI Example:\n\n    salt '*' saltutil.term_job <job id>",
			Call: func(c *Call) (any, error) { return signalJob(c, py.Str(c.Arg("jid")), int64(syscall.SIGTERM)) }},
		{Name: "saltutil.kill_job", Params: jid,
			Doc:  "Sends a kill signal (SIGKILL 9) to the named salt job's process\n\nCLI Example:\n\n    salt '*' saltutil.kill_job <job id>",
			Call: func(c *Call) (any, error) { return signalJob(c, py.Str(c.Arg("jid")), int64(syscall.SIGKILL)) }},
		{Name: "saltutil.term_all_jobs",
			Doc:  "Sends a termination signal (SIGTERM 15) to all currently running jobs\n\nCLI Example:\n\n    salt '*' saltutil.term_all_jobs",
			Call: func(c *Call) (any, error) { return signalAll(c, int64(syscall.SIGTERM)) }},
		{Name: "saltutil.kill_all_jobs",
			Doc:  "Sends a kill signal (SIGKILL 9) to all currently running jobs\n\nCLI Example:\n\n    salt '*' saltutil.kill_all_jobs",
			Call: func(c *Call) (any, error) { return signalAll(c, int64(syscall.SIGKILL)) }},
		{Name: "saltutil.clear_cache",
			Doc:  "Forcibly removes all caches on a minion.\n\nWARNING: The safest way to clear a minion cache is by first stopping\nthe minion and then deleting the cache files before restarting it.\n\nCLI Example:\n\n    salt '*' saltutil.clear_cache",
			Call: clearCache},
		{Name: "saltutil.refresh_grains", VarKwargs: true,
			Doc:  "Refresh the minion's grains without syncing custom grains modules from\n``salt://_grains``.\n\nrefresh_pillar : True\n    Set to ``False`` to keep pillar data from being refreshed.\n\nclean_pillar_cache : False\n    Set to ``True`` to refresh pillar cache.\n\nCLI Examples:\n\n    salt '*' saltutil.refresh_grains",
			Call: refreshGrains},
	}
}

// signalJob is signal_job: sig (a number, read only when the job is
// found, as Salt reads it) to the job's process (the proc record's pid)
// and its descendants, as psutil's children(recursive=True) and os.kill.
// A job that is not running returns "". A job without a process of its own
// (it runs in the minion, multiprocessing: False, or its process has yet to
// start) is not signalled: the signal would reach the minion, which Salt's
// threads share with their jobs.
func signalJob(c *Call, jid string, sigArg any) (any, error) {
	for _, rec := range running(c) {
		if py.Str(rec.getOr("jid")) != jid {
			continue
		}
		n, err := pyInt(sigArg)
		if err != nil {
			return nil, err
		}
		sig := syscall.Signal(n)
		pid, err := py.Int(rec.getOr("pid"))
		if err != nil {
			return nil, cmdErr("job %s has no pid: %v", jid, rec.getOr("pid"))
		}
		// A job in the minion (multiprocessing: False), or one whose
		// process has not started yet, has the minion's pid: this process,
		// or the parent of a job process.
		if pid <= 1 || int(pid) == os.Getpid() || int(pid) == os.Getppid() {
			return nil, cmdErr("job %s has no process of its own (pid %d is the minion's); signalling it would signal the minion", jid, pid)
		}
		if err := proctree.Signal(int(pid), sig); err != nil {
			os.Remove(filepath.Join(cachedir(c), "proc", jid)) //nolint:errcheck // as Salt, if it is a file
			return fmt.Sprintf("Job %s was not running and job data has been cleaned up", jid), nil
		}
		return fmt.Sprintf("Signal %d sent to job %s at pid %s", int(sig), jid, py.Str(rec.getOr("pid"))), nil
	}
	return "", nil
}

// signalAll is term_all_jobs and kill_all_jobs: signal_job's sentence for
// each running job but the caller.
func signalAll(c *Call, sig any) (any, error) {
	out := []any{}
	for _, rec := range running(c) {
		ret, err := signalJob(c, py.Str(rec.getOr("jid")), sig)
		if err != nil {
			return nil, err
		}
		out = append(out, ret)
	}
	return out, nil
}

func cachedir(c *Call) string {
	if cfg := c.exec.opts.Config; cfg != nil && cfg.Cachedir != "" {
		return cfg.Cachedir
	}
	return defaultCachedir
}

// clearCache is clear_cache: every file under the cachedir removed, links
// not followed; False at the first that cannot be. One difference: the
// return spool (raet_returns) stays, since a return not yet delivered is
// no cache, and this job's own return goes there.
func clearCache(c *Call) (any, error) {
	root := cachedir(c)
	spool := filepath.Join(root, "raet_returns")
	failed := false
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil // gone meanwhile, or unreadable: safe_walk skips it
		}
		if d.IsDir() {
			if path == spool {
				return filepath.SkipDir
			}
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			failed = true
			return fs.SkipAll
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return !failed, nil
}

// refreshGrains is refresh_grains(**kwargs): the grains reloaded, then the
// pillar (refresh_pillar=True) as Salt's refresh_pillar does it; a keyword
// other than those two is refused as Salt's invalid_kwargs.
func refreshGrains(c *Call) (any, error) {
	kw := cleanKwargs(c.Kwargs)
	refreshPillar := true
	var invalid []string
	for _, it := range kw {
		switch it.Key {
		case "refresh_pillar":
			refreshPillar = py.Truthy(it.Value)
		case "clean_pillar_cache":
		default:
			invalid = append(invalid, it.Key+"="+py.Str(it.Value))
		}
	}
	if len(invalid) > 0 {
		return nil, invocationErr("The following keyword arguments are not valid: %s", strings.Join(invalid, ", "))
	}
	if refresh := c.exec.opts.RefreshGrains; refresh != nil {
		if err := refresh(c.Ctx); err != nil {
			return nil, cmdErr("The grains were not refreshed: %v", err)
		}
	}
	if refresh := c.exec.opts.RefreshPillar; refreshPillar && refresh != nil {
		c.exec.background(func() {
			ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
			defer cancel()
			refresh(ctx) //nolint:errcheck // as the pillar_refresh event, which nobody answers
		})
	}
	return true, nil
}

// background runs f after the calling function returned, as Salt's
// functions fire an event at the minion's main process and return (the
// pillar refresh of refresh_pillar and refresh_grains). A job process
// waits for it before it ends (WaitBackground), so that it is done.
func (e *Executor) background(f func()) {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		f()
	}()
}

// WaitBackground waits up to d for the work functions left running
// (background); false when some is still running.
func (e *Executor) WaitBackground(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		e.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

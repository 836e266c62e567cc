package minion

import (
	"os"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// tempPrefix starts the names of files being written; listings skip them.
const tempPrefix = ".tmp-"

// writeFileAtomic replaces dir/name with data by fsutil.WriteFile, so a
// reader (or a crash) sees either the old file or the whole new one.
func writeFileAtomic(dir, name string, data []byte, mode os.FileMode) error {
	return fsutil.WriteFile(dir, name, data, fsutil.WriteOptions{Mode: mode, TempPrefix: tempPrefix})
}

// writeFileCommitted is writeFileAtomic made durable by the group commit c
// (one sync for the files of every job finishing meanwhile), which it asks
// for without waiting; a nil c syncs the file itself.
func writeFileCommitted(c *fsutil.Committer, dir, name string, data []byte, mode os.FileMode) error {
	if c == nil {
		return writeFileAtomic(dir, name, data, mode)
	}
	if err := fsutil.WriteFile(dir, name, data, fsutil.WriteOptions{Mode: mode, TempPrefix: tempPrefix, NoSync: true}); err != nil {
		return err
	}
	c.Wrote()
	c.CommitSoon()
	return nil
}

// writeFileVolatile is writeFileAtomic without any sync: for records of
// this run only (a job's proc file names a process that a crash of the
// machine ends too), whose loss in such a crash loses nothing.
func writeFileVolatile(dir, name string, data []byte, mode os.FileMode) error {
	return fsutil.WriteFile(dir, name, data, fsutil.WriteOptions{Mode: mode, TempPrefix: tempPrefix, NoSync: true})
}

// listFiles removes the temporary files a writer that died left in dir,
// which is ours alone, and returns the names of the regular files of ours
// in it (fsutil.NameProblem: not hidden, no separator).
func listFiles(dir string) ([]string, error) {
	fsutil.RemoveStaleTemps(dir, tempPrefix, 0)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if fsutil.NameProblem(e.Name()) == "" && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// waitIdle waits until busy reports no work under way, or until d passes
// on clock c (false; nil is the real clock). busy returns, read under its
// owner's lock, whether work is under way and the channel the owner closes
// (and replaces) when that changes.
func waitIdle(c clock.Clock, d time.Duration, busy func() (bool, <-chan struct{})) bool {
	if c == nil {
		c = clock.Real()
	}
	timer := c.NewTimer(d)
	defer timer.Stop()
	for {
		b, ch := busy()
		if !b {
			return true
		}
		select {
		case <-ch:
		case <-timer.C():
			return false
		}
	}
}

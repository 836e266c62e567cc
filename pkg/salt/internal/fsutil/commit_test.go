package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// Commit covers every write noted before it; writers committing at once
// share syncs (never more syncs than commits); NoSync files are whole.
func TestCommitterGroupsWriters(t *testing.T) {
	dir := t.TempDir()
	c, err := NewCommitter(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + i))
			if err := WriteFile(dir, name, []byte(name), WriteOptions{Mode: 0o600, TempPrefix: ".t-", NoSync: true}); err != nil {
				errs <- err
				return
			}
			errs <- c.Commit(c.Wrote())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Syncs(); n == 0 || n > writers {
		t.Fatalf("%d syncs for %d commits", n, writers)
	}
	if c.Commit(c.Last()) != nil || c.Syncs() > writers {
		t.Fatal("a commit with nothing new synced again or failed")
	}
	for i := range writers {
		name := string(rune('a' + i))
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != name {
			t.Fatalf("%s: %q %v", name, b, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(c.Wrote()); err == nil {
		t.Fatal("a commit after Close succeeded")
	}
}

// CommitSoon syncs without anyone waiting, and no more once caught up.
func TestCommitSoon(t *testing.T) {
	c, err := NewCommitter(t.TempDir(), func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.CommitSoon() // nothing written: nothing to do
	seq := c.Wrote()
	c.CommitSoon()
	testutil.WaitFor(t, "CommitSoon to sync", 20*time.Second, func() bool { return c.Syncs() > 0 })
	c.mu.Lock()
	synced := c.synced
	c.mu.Unlock()
	if synced < seq {
		t.Fatalf("synced up to %d, wrote %d", synced, seq)
	}
}

// A committer of a directory that is not there says which.
func TestCommitterMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	if _, err := NewCommitter(dir, nil); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err %v", err)
	}
}

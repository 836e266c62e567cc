package job

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// GroupCommit has the cache write its files without an fsync each (still
// whole or not at all: temporary file and rename), made durable in
// batches by one sync of the filesystem (fsutil.Committer): Commit waits
// for it, CommitSoon asks for it. onError hears of the failures of the
// syncs nobody waits for. Close the cache to sync what is left.
func (c *Cache) GroupCommit(onError func(error)) error {
	cm, err := fsutil.NewCommitter(c.root, onError)
	if err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	c.commit = cm
	return nil
}

// wrote notes a file written for the next group commit.
func (c *Cache) wrote() {
	if c.commit != nil {
		c.commit.Wrote()
	}
}

// Commit returns once every file the cache wrote so far is durable: a
// group commit shared with whoever waits meanwhile. Without GroupCommit
// every file was durable when written, and it returns at once.
func (c *Cache) Commit() error {
	if c.commit == nil {
		return nil
	}
	if err := c.commit.Commit(c.commit.Last()); err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	return nil
}

// CommitSoon has the files written so far made durable without waiting.
func (c *Cache) CommitSoon() {
	if c.commit != nil {
		c.commit.CommitSoon()
	}
}

// Syncs is how many group commits ran (0 without GroupCommit).
func (c *Cache) Syncs() uint64 {
	if c.commit == nil {
		return 0
	}
	return c.commit.Syncs()
}

// Close syncs what the group commit has not yet and ends it. A cache
// without GroupCommit has nothing to close.
func (c *Cache) Close() error {
	if c.commit == nil {
		return nil
	}
	if err := c.commit.Close(); err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	return nil
}

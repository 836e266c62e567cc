package fsutil

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Committer is a group commit for the files a store writes with NoSync:
// writers say what they wrote (Wrote), and one sync of the filesystem
// makes every file written before it durable, however many there are. A
// writer that must know its files are durable waits (Commit), and the
// writers that wait meanwhile share the next sync; a writer that needs no
// wait asks for a commit soon (CommitSoon), made by a goroutine that lives
// only while writes are ahead of the last sync. A waiter's batch is what
// was written while the previous sync ran; CommitSoon's syncs come at most
// every CommitDelay, so that a busy store syncs a few hundred times a
// second rather than back to back (each sync also stalls writes to the
// pages it writes out). Nothing runs while nothing is written.
//
// The sync is syncfs(2) on Linux (one call for every dirty file and
// directory of the filesystem the store is on: its cost is that of one
// fsync, plus what others left dirty there), sync(2) elsewhere.
type Committer struct {
	root    *os.File // a directory of the store, whose filesystem is synced
	onError func(error)
	closing chan struct{} // closed by Close: CommitSoon's wait ends

	mu      sync.Mutex
	cond    *sync.Cond
	written uint64 // sequence number of the last write
	synced  uint64 // every write up to this one is durable
	syncing bool   // a sync is under way
	soon    bool   // a CommitSoon goroutine runs
	closed  bool
	syncs   uint64 // how many syncs ran, for tests and stats
}

// NewCommitter makes a committer for the filesystem dir is on. onError,
// when set, hears of the failures of the syncs CommitSoon makes, which
// have nobody else to tell.
func NewCommitter(dir string, onError func(error)) (*Committer, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("group commit: %w", err)
	}
	c := &Committer{root: f, onError: onError, closing: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c, nil
}

// Wrote notes a write (a NoSync file written, renamed or removed) and
// returns its sequence number, for Commit.
func (c *Committer) Wrote() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.written++
	return c.written
}

// Last is the sequence number of the last write noted: Commit(Last())
// waits for everything written so far.
func (c *Committer) Last() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
}

// Commit returns once every write up to seq is durable: at once if a sync
// since covered it, else after the sync under way (which may not cover
// it) and, if need be, one more, which this caller makes for everyone
// waiting.
func (c *Committer) Commit(seq uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.synced < seq {
		if c.closed {
			return fmt.Errorf("group commit: %s: closed", c.root.Name())
		}
		if c.syncing {
			c.cond.Wait()
			continue
		}
		if err := c.syncLocked(); err != nil {
			return err
		}
	}
	return nil
}

// syncLocked runs one sync covering every write so far, with c.mu
// released meanwhile so that writes and waiters gather for the next.
func (c *Committer) syncLocked() error {
	c.syncing = true
	upTo := c.written
	c.mu.Unlock()
	err := syncFS(c.root)
	c.mu.Lock()
	c.syncing = false
	c.syncs++
	if err == nil && upTo > c.synced {
		c.synced = upTo
	}
	c.cond.Broadcast()
	if err != nil {
		return fmt.Errorf("group commit: sync %s: %w", c.root.Name(), err)
	}
	return nil
}

// CommitSoon has the writes so far made durable without waiting for it.
func (c *Committer) CommitSoon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.soon || c.closed || c.synced >= c.written {
		return
	}
	c.soon = true
	go c.commitBehind()
}

// CommitDelay is how long CommitSoon lets writes gather before it syncs:
// what it adds to the time a write takes to be durable.
const CommitDelay = 5 * time.Millisecond

// commitBehind syncs, each time after CommitDelay, until no write is left
// behind the last sync.
func (c *Committer) commitBehind() {
	t := time.NewTimer(CommitDelay)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-c.closing: // Close syncs what is left
		}
		c.mu.Lock()
		for c.syncing {
			c.cond.Wait()
		}
		if c.closed || c.synced >= c.written {
			c.soon = false
			c.mu.Unlock()
			return
		}
		err := c.syncLocked()
		c.mu.Unlock()
		if err != nil {
			if c.onError != nil {
				c.onError(err)
			}
			c.mu.Lock()
			c.soon = false // the next write asks again
			c.mu.Unlock()
			return
		}
		t.Reset(CommitDelay)
	}
}

// Syncs is how many syncs ran.
func (c *Committer) Syncs() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.syncs
}

// Close makes every write so far durable and releases the directory.
// Later commits fail; later writes are the caller's to sync.
func (c *Committer) Close() error {
	c.mu.Lock()
	select {
	case <-c.closing:
	default:
		close(c.closing)
	}
	var err error
	for c.synced < c.written && err == nil {
		if c.syncing {
			c.cond.Wait()
			continue
		}
		err = c.syncLocked()
	}
	for c.syncing {
		c.cond.Wait()
	}
	c.closed = true
	c.cond.Broadcast()
	c.mu.Unlock()
	if cerr := c.root.Close(); err == nil {
		err = cerr
	}
	return err
}

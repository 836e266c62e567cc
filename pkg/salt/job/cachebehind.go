package job

import (
	"errors"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Behind writes the job cache off its callers' path: each write is queued
// and made, in the order queued, by one goroutine, which takes every write
// waiting at once and asks the group commit (GroupCommit) for one sync for
// the batch. The master's workers queue a job's files and go on to send
// it; its return's files are queued after the return is fired, as Salt's
// store_job fires the event before the returner writes. Every file is
// still written whole or not at all (a reader in another process never
// sees part of one); what changes is when it appears: at most one batch
// after it was queued, which Flush waits for. The goroutine waits on a
// channel while nothing is queued: an idle cache costs nothing.
//
// A write someone waits for (DoFirst: a job's files, before the salt
// command is answered) goes ahead of the writes nobody waits for (Do: the
// returns): with 5,000 minions, a job published right after another
// otherwise waited behind the 5,000 return files of the one before, and
// its salt command, answered late, found more of the job's events than it
// keeps before it follows the job.
type Behind struct {
	c       *Cache
	onError func(error)
	wake    chan struct{} // one token: writes are queued
	done    chan struct{} // closed when the goroutine has ended

	mu     sync.Mutex
	first  []behindOp // queued with DoFirst: made before the next of ops
	ops    []behindOp // queued with Do
	closed bool

	// dirs are the job directories held open for their returns
	// (SaveReturn), by jid; one not written to for dirIdle is closed,
	// and the least recent past maxOpenDirs. Under dirsMu: the writer's
	// goroutine uses them, and so do the callers once Close has begun.
	dirsMu sync.Mutex
	dirs   map[string]*jobDir
}

type behindOp struct {
	write func(*Cache) error
	after func(error) // nil: a failure goes to onError
}

// WriteBehind starts the goroutine that makes the writes queued with Do.
// onError hears of the failures of writes queued without an after.
// Close it to make what is queued and end it.
func (c *Cache) WriteBehind(onError func(error)) *Behind {
	b := &Behind{c: c, onError: onError, wake: make(chan struct{}, 1), done: make(chan struct{}), dirs: map[string]*jobDir{}}
	go b.run()
	return b
}

// Do queues write, made with the cache after every write queued before
// it with Do or DoFirst; after, when set, is called with its outcome on
// the writer's goroutine. Once Close has begun the write is made at once,
// on the caller's goroutine.
func (b *Behind) Do(write func(*Cache) error, after func(error)) {
	b.queue(behindOp{write, after}, false)
}

// DoFirst is Do for a write someone waits for (after answers them): it is
// made after the writes queued with DoFirst before it and the one being
// made, ahead of the writes queued with Do that are still waiting. A
// write that must follow it (a return to the job whose files it writes)
// is queued after it, with Do, and so still comes after it.
func (b *Behind) DoFirst(write func(*Cache) error, after func(error)) {
	b.queue(behindOp{write, after}, true)
}

func (b *Behind) queue(op behindOp, first bool) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.finish(op, op.write(b.c))
		return
	}
	if first {
		b.first = append(b.first, op)
	} else {
		b.ops = append(b.ops, op)
	}
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// run makes the queued writes, a batch at a time, until Close. Before
// each write of the batch it makes the writes queued with DoFirst
// meanwhile.
func (b *Behind) run() {
	defer close(b.done)
	var batch []behindOp
	for {
		b.mu.Lock()
		for len(b.ops) == 0 && len(b.first) == 0 && !b.closed {
			b.mu.Unlock()
			b.waitWake()
			b.mu.Lock()
		}
		if len(b.ops) == 0 && len(b.first) == 0 { // closed and drained
			b.mu.Unlock()
			return
		}
		batch, b.ops = b.ops, batch[:0]
		b.mu.Unlock()
		b.makeFirst()
		for i, op := range batch {
			b.makeFirst()
			b.finish(op, op.write(b.c))
			batch[i] = behindOp{}
		}
		b.closeIdleDirs()
		b.c.CommitSoon()
	}
}

// waitWake waits for writes to be queued. While job directories are held
// open it wakes after dirIdle too, to close them: a master that goes quiet
// after a job keeps no descriptor for it, nor a directory Clean removed.
func (b *Behind) waitWake() {
	b.dirsMu.Lock()
	open := len(b.dirs)
	b.dirsMu.Unlock()
	if open == 0 {
		<-b.wake
		return
	}
	t := time.NewTimer(dirIdle)
	defer t.Stop()
	select {
	case <-b.wake:
	case <-t.C:
		b.closeIdleDirs()
	}
}

// makeFirst makes the writes queued with DoFirst, until none is left.
func (b *Behind) makeFirst() {
	for {
		b.mu.Lock()
		first := b.first
		b.first = nil
		b.mu.Unlock()
		if len(first) == 0 {
			return
		}
		for _, op := range first {
			b.finish(op, op.write(b.c))
		}
	}
}

func (b *Behind) finish(op behindOp, err error) {
	switch {
	case op.after != nil:
		op.after(err)
	case err != nil && b.onError != nil:
		b.onError(err)
	}
}

// Flush returns once every write queued before it was made (not yet
// synced: Cache.Commit waits for that). It queues a write of nothing
// behind them and waits for it: the writes queued with DoFirst before it
// are made before the next write queued with Do, so before it.
func (b *Behind) Flush() {
	done := make(chan struct{})
	b.Do(func(*Cache) error { return nil }, func(error) { close(done) })
	<-done
}

// Close makes every queued write and ends the goroutine; later writes are
// made by their callers. It does not sync: Cache.Close does.
func (b *Behind) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	<-b.done
	b.dirsMu.Lock()
	for jid, d := range b.dirs {
		d.close()
		delete(b.dirs, jid)
	}
	b.dirsMu.Unlock()
}

// SaveReturn queues a minion's return (Cache.SaveReturn), written through
// the job's directory held open for the returns that follow it: a return
// costs fewer system calls, and one with the bytes of a return just
// written for the job is a link to it (jobDir). after, when set, is called
// with the outcome, as with Do.
func (b *Behind) SaveReturn(jid, id string, ret body.Map, after func(error)) {
	b.Do(func(*Cache) error { return b.saveReturn(jid, id, ret) }, after)
}

func (b *Behind) saveReturn(jid, id string, ret body.Map) error {
	data, out, err := encodeReturn(jid, id, ret)
	if err != nil {
		return err
	}
	b.dirsMu.Lock()
	defer b.dirsMu.Unlock()
	d, err := b.jobDir(jid, false)
	if errors.Is(err, errNoJobDir) {
		return b.c.saveReturnFiles(jid, id, data, out)
	}
	if err != nil {
		return err
	}
	return d.saveReturn(b.c, id, data, out)
}

// SavePrepared queues the files of a job whose directory PrepJIDDir made
// (Cache.SavePrepared) as a write someone waits for (DoFirst), written
// through the job's directory, which then stays open for its returns
// (jobDir): the directory is opened once per job, not once for its files
// and again for its returns.
func (b *Behind) SavePrepared(jid string, nocache bool, load body.Map, minions []string, after func(error)) {
	b.DoFirst(func(*Cache) error { return b.savePrepared(jid, nocache, load, minions) }, after)
}

func (b *Behind) savePrepared(jid string, nocache bool, load body.Map, minions []string) error {
	b.dirsMu.Lock()
	defer b.dirsMu.Unlock()
	d, err := b.jobDir(jid, true)
	if errors.Is(err, errNoJobDir) {
		return b.c.SavePrepared(jid, nocache, load, minions)
	}
	if err != nil {
		return err
	}
	return d.savePrepared(b.c, nocache, load, minions)
}

// jobDir is the open directory of job jid, opened now if it was not
// (closing the least recent past maxOpenDirs); fresh as openJobDir.
// Under dirsMu.
func (b *Behind) jobDir(jid string, fresh bool) (*jobDir, error) {
	d := b.dirs[jid]
	if d == nil {
		var err error
		if d, err = b.c.openJobDir(jid, fresh); err != nil {
			return nil, err
		}
		b.closeDirsOver(maxOpenDirs - 1)
		b.dirs[jid] = d
	}
	d.last = time.Now()
	return d, nil
}

// How long a job directory is held open after its last return, and how
// many are: the returns of a job come in a burst, and jobs run a few at
// a time; a directory held open keeps a descriptor, and a directory
// Clean may have removed.
const (
	dirIdle     = 2 * time.Second
	maxOpenDirs = 16
)

// closeDirsOver closes the least recently written job directories until
// at most n are open.
func (b *Behind) closeDirsOver(n int) {
	for len(b.dirs) > n {
		var oldest string
		for jid, d := range b.dirs {
			if oldest == "" || d.last.Before(b.dirs[oldest].last) {
				oldest = jid
			}
		}
		b.dirs[oldest].close()
		delete(b.dirs, oldest)
	}
}

// closeIdleDirs closes the job directories no return was written to for
// dirIdle.
func (b *Behind) closeIdleDirs() {
	b.dirsMu.Lock()
	defer b.dirsMu.Unlock()
	now := time.Now()
	for jid, d := range b.dirs {
		if now.Sub(d.last) >= dirIdle {
			d.close()
			delete(b.dirs, jid)
		}
	}
}

// SavePrepared writes the files of a job whose directory PrepJIDDir made:
// jid, nocache when its returns are not to be kept, .load.p and, for a
// load with a tgt, .minions.p — what PrepJID and SavePreparedLoad write,
// for a writer behind (Behind) that cannot choose another jid.
func (c *Cache) SavePrepared(jid string, nocache bool, load body.Map, minions []string) error {
	if !IsJID(jid) {
		return ErrBadJID
	}
	dir := c.Dir(jid)
	if err := c.writeAtomic(dir, JIDFile, []byte(jid)); err != nil {
		return err
	}
	if nocache {
		if err := c.writeAtomic(dir, NoCacheFile, nil); err != nil {
			return err
		}
	}
	return c.SavePreparedLoad(jid, load, minions)
}

package job

import (
	"sync"

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
type Behind struct {
	c       *Cache
	onError func(error)
	wake    chan struct{} // one token: writes are queued
	done    chan struct{} // closed when the goroutine has ended

	mu      sync.Mutex
	cond    *sync.Cond // broadcast after each batch
	ops     []behindOp
	queued  uint64 // sequence number of the last op queued
	written uint64 // every op up to this one was made
	closed  bool
}

type behindOp struct {
	write func(*Cache) error
	after func(error) // nil: a failure goes to onError
}

// WriteBehind starts the goroutine that makes the writes queued with Do.
// onError hears of the failures of writes queued without an after.
// Close it to make what is queued and end it.
func (c *Cache) WriteBehind(onError func(error)) *Behind {
	b := &Behind{c: c, onError: onError, wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.cond = sync.NewCond(&b.mu)
	go b.run()
	return b
}

// Do queues write, made with the cache after every write queued before
// it; after, when set, is called with its outcome on the writer's
// goroutine (to answer whoever waits for the files to be there). Once
// Close has begun the write is made at once, on the caller's goroutine.
func (b *Behind) Do(write func(*Cache) error, after func(error)) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.finish(behindOp{write, after}, write(b.c))
		return
	}
	b.ops = append(b.ops, behindOp{write, after})
	b.queued++
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// run makes the queued writes, a batch at a time, until Close.
func (b *Behind) run() {
	defer close(b.done)
	var batch []behindOp
	for {
		b.mu.Lock()
		for len(b.ops) == 0 && !b.closed {
			b.mu.Unlock()
			<-b.wake
			b.mu.Lock()
		}
		if len(b.ops) == 0 { // closed and drained
			b.mu.Unlock()
			return
		}
		batch, b.ops = b.ops, batch[:0]
		upTo := b.queued
		b.mu.Unlock()
		for i, op := range batch {
			b.finish(op, op.write(b.c))
			batch[i] = behindOp{}
		}
		b.c.CommitSoon()
		b.mu.Lock()
		b.written = upTo
		b.cond.Broadcast()
		b.mu.Unlock()
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
// synced: Cache.Commit waits for that).
func (b *Behind) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for seq := b.queued; b.written < seq; {
		b.cond.Wait()
	}
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

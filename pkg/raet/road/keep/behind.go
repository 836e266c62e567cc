package keep

import (
	"io/fs"
	"os"
	"sync"
)

// Writing behind: a main estate writes its keep at every join (the remote
// at the response and at the ack, the local estate for the uid counter),
// each an fsync'd file and an fsync'd directory, on the stack's loop. In a
// join storm on a busy disk that is the loop's whole time: a thousand
// joins wait on four thousand fsyncs while the remotes already joined see
// their alives go unanswered and join again. With WriteBehind the writes
// go to a writer goroutine instead, which writes the newest content of
// each file once (the local estate's counter, rewritten at every join,
// is written once for the whole burst) with the same atomic, fsync'd
// write. Every read of the keep first waits for the writes queued before
// it, so the keep reads back what was dumped. What it costs: a main that
// goes down within the writer's batch loses those files, as if it had
// gone down just before the joins; their joiners' next allows are
// answered unjoined and they join again.

// behind is the queue of a keep's writes not yet made: the newest
// operation on each path, in the order the paths were first queued.
type behind struct {
	mu    sync.Mutex
	cond  *sync.Cond // signalled when the queue drains
	ops   map[string]behindOp
	order []string
	busy  bool // the writer holds a batch
	// inflight is the batch the writer holds: read from here, a file is
	// what it will be once written, without waiting for the writer.
	inflight map[string]behindOp
	wake     chan struct{} // one pending wake-up for the writer
	err      error         // the first error since the last report
}

type behindOp struct {
	data    []byte
	private bool
	remove  bool
}

// WriteBehind makes the keep write its files on a goroutine of its own,
// newest content first-come, rather than in the caller (see behind). Call
// it before the keep is used; Flush waits for the writes queued so far.
func (k *Keep) WriteBehind() {
	b := &behind{ops: map[string]behindOp{}, wake: make(chan struct{}, 1)}
	b.cond = sync.NewCond(&b.mu)
	k.behind = b
	go b.run()
}

// Flush waits until every write queued so far is made, and returns the
// first error of those made since the last Flush or write that reported
// one. A keep that does not write behind has nothing to wait for.
func (k *Keep) Flush() error {
	if k == nil || k.behind == nil {
		return nil
	}
	return k.behind.flush(true)
}

// queue replaces what is queued for path with op.
func (b *behind) queue(path string, op behindOp) error {
	b.mu.Lock()
	if _, queued := b.ops[path]; !queued {
		b.order = append(b.order, path)
	}
	b.ops[path] = op
	err := b.err
	b.err = nil
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return err
}

// flush waits for the queue to drain; report takes the error to return
// it, else it is left for the next write or Flush.
func (b *behind) flush(report bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.ops) > 0 || b.busy {
		b.cond.Wait()
	}
	if !report {
		return nil
	}
	err := b.err
	b.err = nil
	return err
}

// run writes the queued batches, for the life of the process.
func (b *behind) run() {
	for range b.wake {
		for {
			b.mu.Lock()
			if len(b.ops) == 0 {
				b.busy, b.inflight = false, nil
				b.cond.Broadcast()
				b.mu.Unlock()
				break
			}
			ops, order := b.ops, b.order
			b.ops, b.order, b.busy, b.inflight = map[string]behindOp{}, nil, true, ops
			b.mu.Unlock()
			for _, path := range order {
				if err := ops[path].do(path); err != nil {
					b.mu.Lock()
					if b.err == nil {
						b.err = err
					}
					b.mu.Unlock()
				}
			}
		}
	}
}

func (op behindOp) do(path string) error {
	if op.remove {
		return removeFile(path)
	}
	if err := writeAtomic(path, op.data, op.private); err != nil {
		return &FileError{Path: path, Err: err}
	}
	return nil
}

// remove deletes path, now or behind.
func (k *Keep) remove(path string) error {
	if k.behind != nil {
		return k.behind.queue(path, behindOp{remove: true})
	}
	return removeFile(path)
}

// readBehind reads one file as the writes queued so far leave it: the
// newest queued content of the path, without waiting for the writer (a
// main's loop reads a role file at every join, and waiting there for a
// join storm's queue of fsyncs was the loop's whole time), else the disk.
func (k *Keep) readBehind(path string) ([]byte, error) {
	if b := k.behind; b != nil {
		b.mu.Lock()
		op, ok := b.ops[path]
		if !ok {
			op, ok = b.inflight[path]
		}
		b.mu.Unlock()
		if ok && op.remove {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		if ok {
			return op.data, nil
		}
	}
	return os.ReadFile(path)
}

// settle waits for the writes behind before the keep's files are read.
func (k *Keep) settle() {
	if k.behind != nil {
		k.behind.flush(false) // errors are the writers', reported to them
	}
}

package master

import (
	"context"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// Deciding joins off the road loop. Judging a new minion writes its key
// file; at thousands of joins at once the fsyncs were the loop's whole
// time and the joins it had not read overflowed the socket. The judge now
// answers the road "deciding" (road.ErrDeciding: the join is pended), and
// a goroutine of its own decides what was asked, in batches: the key files
// of a batch are written without an fsync each and made durable by one
// group commit, and only then does the road hear the decisions
// (Stack.Decided), which settle the pended joins at once. Each decision
// answers the question it was asked for, once; a later question (a join
// again, a redo of a pending key) asks the store again, so salt-key-raet's
// changes show as they did when the loop asked the store itself.

type keyAsk struct{ verhex, pubhex string }

// keyDecider queues the road's questions and decides them.
type keyDecider struct {
	decide  func(role, verhex, pubhex string) (raet.Acceptance, error) // the key store, now
	decided func(...road.Decision)                                     // tells the road
	commit  *fsutil.Committer                                          // nil: every key file synced as written
	onError func(error)

	mu    sync.Mutex
	queue map[string]keyAsk
	order []string
	wake  chan struct{}
}

func newKeyDecider(decide func(role, verhex, pubhex string) (raet.Acceptance, error), decided func(...road.Decision),
	commit *fsutil.Committer, onError func(error)) *keyDecider {
	return &keyDecider{decide: decide, decided: decided, commit: commit, onError: onError,
		queue: map[string]keyAsk{}, wake: make(chan struct{}, 1)}
}

// status answers the road: road.ErrDeciding, with the question queued.
func (d *keyDecider) status(role, verhex, pubhex string) (raet.Acceptance, error) {
	d.mu.Lock()
	if _, queued := d.queue[role]; !queued {
		d.order = append(d.order, role)
	}
	d.queue[role] = keyAsk{verhex, pubhex}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return raet.Pending, road.ErrDeciding
}

// run decides the queued questions until ctx ends.
func (d *keyDecider) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		}
		for d.batch() {
		}
	}
}

// batch decides what is queued now, makes its key files durable, then
// hands the road the decisions; it reports whether there was anything.
func (d *keyDecider) batch() bool {
	d.mu.Lock()
	queue, order := d.queue, d.order
	d.queue, d.order = map[string]keyAsk{}, nil
	d.mu.Unlock()
	if len(order) == 0 {
		return false
	}
	out := make([]road.Decision, len(order))
	for i, role := range order {
		ask := queue[role]
		st, err := d.decide(role, ask.verhex, ask.pubhex)
		out[i] = road.Decision{Role: role, VerHex: ask.verhex, PubHex: ask.pubhex, Acceptance: st, Err: err}
	}
	if d.commit != nil {
		if err := d.commit.Commit(d.commit.Last()); err != nil && d.onError != nil {
			d.onError(err)
		}
	}
	d.decided(out...)
	return true
}

// decideKeys runs the judge's decider for the life of the master: from
// then on the road's joins are decided off its loop.
func (m *Master) decideKeys(ctx context.Context) error {
	commit, err := fsutil.NewCommitter(m.cfg.PKIDir, nil)
	if err != nil {
		return err
	}
	defer commit.Close()
	store := m.store.WithCommit(commit)
	j := m.judge
	d := newKeyDecider(func(role, verhex, pubhex string) (raet.Acceptance, error) {
		return j.decideWith(store, role, verhex, pubhex)
	}, m.road.Decided, commit, func(err error) {
		m.stats.Add("key_file_error")
		m.log.Errorf("Key files in %s: %v", m.cfg.PKIDir, err)
	})
	j.async.Store(d)
	defer j.async.Store(nil)
	return d.run(ctx)
}

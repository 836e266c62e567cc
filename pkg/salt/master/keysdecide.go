package master

import (
	"context"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
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
// (Stack.Decided), settling the pended joins at once. A decision answers
// the road's next question on the same keys, once, within decisionTTL;
// the question after asks the store again, so salt-key-raet's changes
// show at the next join or redo, as when the loop asked the store itself.

// decisionTTL is how long a decision waits for the road's question: one
// not asked for by then (its join ended meanwhile) is forgotten.
const decisionTTL = time.Second

type keyAsk struct{ verhex, pubhex string }

type keyDecision struct {
	keyAsk
	status raet.Acceptance
	err    error
	at     time.Time
}

// keyDecider queues the road's questions and keeps the answers.
type keyDecider struct {
	decide  func(role, verhex, pubhex string) (raet.Acceptance, error) // the key store, now
	decided func(roles ...string)                                      // tells the road
	commit  *fsutil.Committer                                          // nil: every key file synced as written
	clock   clock.Clock
	onError func(error)

	mu    sync.Mutex
	queue map[string]keyAsk
	order []string
	done  map[string]keyDecision
	wake  chan struct{}
}

func newKeyDecider(decide func(role, verhex, pubhex string) (raet.Acceptance, error), decided func(...string),
	commit *fsutil.Committer, clk clock.Clock, onError func(error)) *keyDecider {
	return &keyDecider{decide: decide, decided: decided, commit: commit, clock: clk, onError: onError,
		queue: map[string]keyAsk{}, done: map[string]keyDecision{}, wake: make(chan struct{}, 1)}
}

// status answers the road: a fresh decision on these keys, or
// road.ErrDeciding with the question queued.
func (d *keyDecider) status(role, verhex, pubhex string) (raet.Acceptance, error) {
	ask := keyAsk{verhex, pubhex}
	d.mu.Lock()
	if k, ok := d.done[role]; ok {
		delete(d.done, role) // answers once: the next question asks the store again
		if k.keyAsk == ask && d.clock.Now().Sub(k.at) < decisionTTL {
			d.mu.Unlock()
			return k.status, k.err
		}
	}
	if _, queued := d.queue[role]; !queued {
		d.order = append(d.order, role)
	}
	d.queue[role] = ask
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
// publishes the decisions; it reports whether there was anything.
func (d *keyDecider) batch() bool {
	d.mu.Lock()
	queue, order := d.queue, d.order
	d.queue, d.order = map[string]keyAsk{}, nil
	d.mu.Unlock()
	if len(order) == 0 {
		return false
	}
	out := make([]keyDecision, len(order))
	for i, role := range order {
		ask := queue[role]
		st, err := d.decide(role, ask.verhex, ask.pubhex)
		out[i] = keyDecision{keyAsk: ask, status: st, err: err}
	}
	if d.commit != nil {
		if err := d.commit.Commit(d.commit.Last()); err != nil && d.onError != nil {
			d.onError(err)
		}
	}
	now := d.clock.Now()
	d.mu.Lock()
	for role, k := range d.done {
		if now.Sub(k.at) >= decisionTTL {
			delete(d.done, role)
		}
	}
	for i, role := range order {
		out[i].at = now
		d.done[role] = out[i]
	}
	d.mu.Unlock()
	d.decided(order...)
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
	}, m.road.Decided, commit, m.opts.clock, func(err error) {
		m.stats.Add("key_file_error")
		m.log.Errorf("Key files in %s: %v", m.cfg.PKIDir, err)
	})
	j.async.Store(d)
	defer j.async.Store(nil)
	return d.run(ctx)
}

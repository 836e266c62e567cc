package road

import (
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Deciding off the loop, and admission of joins.
//
// A main's acceptor may take its time: Salt's key store writes a key file
// for every new minion, and at thousands of joins at once the loop spent
// its whole time waiting on the disk while the joins it had not read yet
// overflowed the socket. An Acceptor that decides elsewhere answers
// Pending with ErrDeciding at once; the join is pended (RAET's pend packet:
// the joiner stops repeating its request and waits for the response) and
// settled again as soon as the acceptor calls Stack.Decided, or at the
// joinent's next redo.
//
// While MaxDeciding decisions are under way, a main takes no new join: the
// request is dropped unanswered, as a full socket would, but before any
// work, and the joiner asks again after its redo wait, then at its next
// presence period, each spread by the joiner's jitter (JoinJitter).

// ErrDeciding is what an Acceptor returns, with Pending, when it decides
// the role later and will call Stack.Decided once it has.
var ErrDeciding = errors.New("road: the acceptor is deciding")

// DefaultMaxDeciding is how many joins a main takes whose decision is
// under way, when Config.MaxDeciding is zero.
const DefaultMaxDeciding = 512

// awaitDecision notes that the acceptor decides role for the join of r.
func (c *core) awaitDecision(role string, r *Remote) {
	if c.deciding == nil {
		c.deciding = map[string]*Remote{}
	}
	c.deciding[role] = r
	c.stat("join_deciding")
}

// admitJoin reports whether a main takes a new join now.
func (c *core) admitJoin() bool {
	limit := bound(c.cfg.MaxDeciding, DefaultMaxDeciding)
	if limit == 0 || len(c.deciding) < limit {
		return true
	}
	c.stat("join_admission_dropped")
	return false
}

// Decision is what an Acceptor that answered ErrDeciding decided of a
// role with these keys: an acceptance, or the error that rejects it.
type Decision struct {
	Role, VerHex, PubHex string
	Acceptance           raet.Acceptance
	Err                  error
}

// decided settles again, now, the joins pended while the acceptor decided
// these roles, each with its decision: it answers the join's question
// once, there and then, and the next question goes to the acceptor again.
func (c *core) decided(ds []Decision, now time.Time) {
	for i := range ds {
		d := &ds[i]
		r, ok := c.deciding[d.Role]
		if !ok {
			continue
		}
		delete(c.deciding, d.Role)
		c.verdict = d
		for _, t := range joinInProcess(r) {
			e, ok := t.(*joinent)
			if !ok || e.last == nil || e.last.PK != raet.PcktPend {
				continue
			}
			if d.Err != nil || d.Acceptance == raet.Rejected {
				e.refuse(d.Err)
				continue
			}
			e.redo.at = now // due: its process settles it again
			e.process(now)
		}
		c.verdict = nil
		c.rewake(r)
	}
}

// refuse ends a pended join the acceptor rejected as settle ends one
// rejected at once: the joiner is told reject (so that it forgets us and
// tries again after its acceptance wait), and a remote on the road is
// removed.
func (e *joinent) refuse(err error) {
	c := e.c
	if err != nil {
		c.stat("keep_error")
	}
	onRoad := e.onRoad()
	e.nackKind(raet.PcktReject)
	if onRoad {
		c.removeRemote(e.r, true)
	}
}

// verdictOn returns the decision being delivered for a role with these
// keys, if any.
func (c *core) verdictOn(role, verhex, pubhex string) (*Decision, bool) {
	v := c.verdict
	if v == nil || v.Role != role || v.VerHex != verhex || v.PubHex != pubhex {
		return nil, false
	}
	return v, true
}

// Decided tells the stack what its acceptor, which answered ErrDeciding,
// has decided: the joins waiting on each role are settled at once. It
// waits for the loop; after Run has ended it does nothing.
func (s *Stack) Decided(ds ...Decision) {
	if len(ds) == 0 {
		return
	}
	_ = s.do(func(c *core) { c.decided(ds, c.clock.Now()) })
}

// DefaultJoinJitter is Config.JoinJitter when zero.
const DefaultJoinJitter = 0.5

// newJitter seeds the joiners' stretch from the stack's name.
func newJitter(cfg *Config) *rand.Rand {
	if cfg.JoinJitter < 0 {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(cfg.Name))
	return rand.New(rand.NewPCG(h.Sum64(), 0x5a17))
}

// jittered stretches a joiner's redo waits by a factor drawn in
// [1, 1+JoinJitter).
func (c *core) jittered(lo, hi time.Duration) (time.Duration, time.Duration) {
	if c.jitter == nil {
		return lo, hi
	}
	spread := c.cfg.JoinJitter
	if spread == 0 {
		spread = DefaultJoinJitter
	}
	f := 1 + spread*c.jitter.Float64()
	return time.Duration(float64(lo) * f), time.Duration(float64(hi) * f)
}

package road

import (
	"math"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The workers' snapshot of verify keys (see check). Copying every remote's
// key at each join made a join storm quadratic: at 5,000 remotes the loop
// spent a sixth of its time copying maps. The snapshot is instead a large
// base, rebuilt rarely, and a small map of the keys changed since, copied
// at each publish; once the recent changes outgrow about twice the square
// root of the remotes the base is rebuilt. Each change then costs the loop
// O(√n) copies, not O(n), and the workers still see every change at once.

// verifiers is one published snapshot; it is never changed once stored.
type verifiers struct {
	base   map[uint32]*raet.Verifier
	recent map[uint32]*raet.Verifier // changed since base; nil: no key now
	// priver is the stack's long-term private key, for the key work of
	// hellos on the workers (prepHello); nil before the stack has one.
	priver *raet.Privateer
}

// get returns the key of the remote with nuid uid, or nil.
func (v *verifiers) get(uid uint32) *raet.Verifier {
	if k, ok := v.recent[uid]; ok {
		return k
	}
	return v.base[uid]
}

// keyChanged notes that the verify key under uid may have changed (a join,
// a restore, a removal), for the next publish.
func (c *core) keyChanged(uid uint32) {
	if c.changedKeys == nil {
		c.changedKeys = map[uint32]struct{}{}
	}
	c.changedKeys[uid] = struct{}{}
}

// publishVerifiers publishes the remotes' verify keys for the workers when
// they may have changed.
func (c *core) publishVerifiers() {
	old := c.keys.Load()
	if !c.verifiersChanged && len(c.changedKeys) == 0 && (old == nil || old.priver == c.priver) {
		return
	}
	if old == nil || c.verifiersChanged {
		c.publishAll()
		return
	}
	recent := make(map[uint32]*raet.Verifier, len(old.recent)+len(c.changedKeys))
	for uid, k := range old.recent {
		recent[uid] = k
	}
	for uid := range c.changedKeys {
		recent[uid] = nil
		if r := c.remotes[uid]; r != nil {
			recent[uid] = r.verfer
		}
	}
	clear(c.changedKeys)
	if len(recent) > recentBound(len(c.remotes)) {
		c.publishAll()
		return
	}
	c.keys.Store(&verifiers{base: old.base, recent: recent, priver: c.priver})
}

// publishAll rebuilds the base from every remote.
func (c *core) publishAll() {
	base := make(map[uint32]*raet.Verifier, len(c.remotes))
	for uid, r := range c.remotes {
		if r.verfer != nil {
			base[uid] = r.verfer
		}
	}
	c.keys.Store(&verifiers{base: base, priver: c.priver})
	c.verifiersChanged = false
	clear(c.changedKeys)
}

// recentBound is how many changes the snapshot carries beside its base.
func recentBound(remotes int) int {
	return max(64, 2*int(math.Sqrt(float64(remotes))))
}

package road

import (
	"math/rand/v2"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The published snapshot must always hold exactly the remotes' keys, through
// any sequence of additions, key changes and removals, across the rebuilds
// of its base.
func TestVerifierSnapshotFollowsRemotes(t *testing.T) {
	keys := make([]*raet.Verifier, 8)
	for i := range keys {
		s, err := raet.GenerateSigner()
		if err != nil {
			t.Fatal(err)
		}
		if keys[i], err = raet.NewVerifier(s.VerKey()); err != nil {
			t.Fatal(err)
		}
	}
	c := &core{remotes: map[uint32]*Remote{}, verifiersChanged: true}
	c.publishVerifiers()
	rng := rand.New(rand.NewPCG(1, 2))
	rebuilds := 0
	for step := range 5000 {
		uid := uint32(2 + rng.IntN(3000))
		switch r := c.remotes[uid]; {
		case r == nil:
			c.remotes[uid] = &Remote{UID: uid, verfer: keys[rng.IntN(len(keys))]}
		case rng.IntN(4) == 0:
			delete(c.remotes, uid)
		default:
			r.verfer = keys[rng.IntN(len(keys))]
		}
		c.keyChanged(uid)
		if rng.IntN(3) == 0 { // several changes may wait for one publish
			continue
		}
		before := c.keys.Load()
		c.publishVerifiers()
		snap := c.keys.Load()
		if len(snap.recent) == 0 && snap != before {
			rebuilds++
		}
		for u := uint32(0); u < 3002; u++ {
			var want *raet.Verifier
			if r := c.remotes[u]; r != nil {
				want = r.verfer
			}
			if got := snap.get(u); got != want {
				t.Fatalf("step %d: the snapshot has %v for nuid %d, the remote %v", step, got, u, want)
			}
		}
	}
	if rebuilds == 0 {
		t.Errorf("the base was never rebuilt: the recent changes grow without bound")
	}
}

package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Joins from estates a main does not know yet: how many it takes from one
// address, and what it keeps of them.
//
// Vacuous joins carry no proof of anything: anyone can send one, from any
// source address, with a new name and new keys each time, and each makes a
// main ask its acceptor (Salt's key store writes a pending key). A main
// takes at most VacuousJoinBurst new ones from one address at once, and one
// more each VacuousJoinEvery; the rest are dropped and counted. A joiner
// redoes its request every second or more, and Salt's minions wait
// acceptance_wait_time (10 s) between attempts, so the defaults never slow
// a real estate down.
const (
	DefaultVacuousJoinBurst = 4
	DefaultVacuousJoinEvery = time.Second
	// maxJoinSources bounds the addresses remembered; when full, those
	// whose allowance has refilled are forgotten first.
	maxJoinSources = 4096
)

// joinLimiter is a token bucket of new vacuous joins per source address.
type joinLimiter struct {
	burst   float64
	every   time.Duration
	sources map[netip.AddrPort]*joinBucket
}

type joinBucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newJoinLimiter(burst int, every time.Duration) *joinLimiter {
	if burst <= 0 {
		burst = DefaultVacuousJoinBurst
	}
	if every <= 0 {
		every = DefaultVacuousJoinEvery
	}
	return &joinLimiter{burst: float64(burst), every: every, sources: map[netip.AddrPort]*joinBucket{}}
}

// allow takes one join from the address's allowance, reporting false when
// there is none left.
func (l *joinLimiter) allow(from netip.AddrPort, now time.Time) bool {
	b := l.sources[from]
	if b == nil {
		if len(l.sources) >= maxJoinSources {
			l.prune(now)
		}
		b = &joinBucket{tokens: l.burst, at: now}
		l.sources[from] = b
	}
	b.refill(now, l)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (b *joinBucket) refill(now time.Time, l *joinLimiter) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
}

// prune forgets the sources whose allowance is whole again, and all of
// them if that frees nothing: memory stays bounded whatever the spread of
// source addresses, at the price of a fresh burst for each.
func (l *joinLimiter) prune(now time.Time) {
	for a, b := range l.sources {
		if b.refill(now, l); b.tokens >= l.burst {
			delete(l.sources, a)
		}
	}
	if len(l.sources) >= maxJoinSources {
		clear(l.sources)
	}
}

// dropJoinee forgets a remote as the joinee at its address once no vacuous
// join of it is in progress. Its other transactions do not keep it there: a
// joinee left behind took the next vacuous join from the address with the
// same far uid, which a new estate there often has (each side counts uids
// from 2), as a redo of its own, and the new estate became the old one
// renamed, under the old one's sessions and the old key in the verifiers.
func (c *core) dropJoinee(r *Remote) {
	if c.joinees[r.HA] != r {
		return
	}
	for _, t := range r.transactions {
		switch x := t.(type) {
		case *joiner:
			if x.vacuous {
				return
			}
		case *joinent:
			if x.vacuous {
				return
			}
		}
	}
	delete(c.joinees, r.HA)
}

// silent ends a vacuous join we pended whose joiner has not asked again for
// two of its pend redos, and forgets the estate if it never joined. A
// pended joiner asks again at least that often; a join sent from a forged
// address never does, and the main (whose joinents wait for ever for
// salt-key) would otherwise keep it, ask the key store about it at every
// redo, and write its pending key back each time an operator deletes it.
func (e *joinent) silent(now time.Time) bool {
	if !e.vacuous || e.last == nil || e.last.PK != raet.PcktPend || now.Sub(e.heard) < 2*e.pendRedo {
		return false
	}
	c, r := e.c, e.r
	c.stat("joinent_pend_silent")
	e.nack()
	if r.Joined != Yes {
		c.removeRemote(r, true)
	}
	return true
}

package road

import (
	"net/netip"
	"time"
)

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

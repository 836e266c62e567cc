package road

import (
	"crypto/sha256"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The workers remember the small datagrams whose signature they verified
// lately, so that an identical copy is not verified again. A transaction
// that hears nothing sends its last packet again, the same bytes (a
// joiner's join, an allower's hello at 0.25, 0.5, then every 1 s); a main
// behind on its queue in a join storm of 10,000 minions reads five copies
// of each hello for one worth answering, and an Ed25519 verification each
// was a third of its CPU. A copy of a packet that verified is as authentic
// as the packet (replays are the transactions' business, as before); what
// is remembered is the whole datagram's SHA-256 and the key it verified
// with, so a copy only passes with the key the snapshot holds now.

// verifiedSeen is the workers' memory of datagrams verified lately.
type verifiedSeen struct {
	mu sync.Mutex
	by recent[[sha256.Size]byte, *raet.Verifier]
}

const (
	// verifiedSeenKept is how many datagrams a main remembers: some
	// seconds of a storm's hellos and joins. Another estate, which no
	// storm reaches, remembers verifiedSeenKeptOther: thousands of
	// emulated minions share a process.
	verifiedSeenKept      = 8192
	verifiedSeenKeptOther = 64
	// verifiedSeenMax is the largest datagram remembered: the handshakes
	// and keep-alives that are repeated are small, and hashing a large
	// segment would cost as much as verifying it.
	verifiedSeenMax = 1024
)

func newVerifiedSeen(main bool) *verifiedSeen {
	kept := verifiedSeenKeptOther
	if main {
		kept = verifiedSeenKept
	}
	return &verifiedSeen{by: newRecent[[sha256.Size]byte, *raet.Verifier](kept)}
}

// key returns the datagram's key, or false when it is not remembered at
// all (no memory, or too large).
func (s *verifiedSeen) key(b []byte) ([sha256.Size]byte, bool) {
	if s == nil || len(b) > verifiedSeenMax {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(b), true
}

// seen reports whether the datagram of key k verified with v.
func (s *verifiedSeen) seen(k [sha256.Size]byte, v *raet.Verifier) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	got, _ := s.by.get(k)
	return got == v
}

// verified remembers that the datagram of key k verified with v.
func (s *verifiedSeen) verified(k [sha256.Size]byte, v *raet.Verifier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by.put(k, v)
}

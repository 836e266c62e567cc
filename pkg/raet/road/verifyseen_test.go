package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// A copy of a signed datagram verified lately passes without a second
// verification, with the key it verified with; a copy changed by one byte,
// or checked against another key, is verified, and fails.
func TestRepeatedDatagramVerifiedOnce(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	var got []netsim.Datagram
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		got = append(got, netsim.Datagram{From: d.From, Data: append([]byte(nil), d.Data...)})
		alpha.receive(d.From, d.Data)
	})
	beta.alive(beta.byName["alpha"], false)
	s.runUntil(time.Minute, "beta's alive", func() bool { return len(got) > 0 })
	d := got[0]
	if alpha.stats["verified_repeat"] != 0 {
		t.Fatalf("a first datagram counted as a repeat: %v", alpha.stats)
	}
	bad := alpha.stats["parsing_outer_error_signature"]
	alpha.receive(d.From, append([]byte(nil), d.Data...))
	if alpha.stats["verified_repeat"] != 1 {
		t.Fatalf("the copy was verified again: %v", alpha.stats)
	}

	forged := append([]byte(nil), d.Data...)
	forged[len(forged)-1] ^= 1 // the signature's last byte
	alpha.receive(d.From, forged)
	if alpha.stats["verified_repeat"] != 1 || alpha.stats["parsing_outer_error_signature"] != bad+1 {
		t.Fatalf("a changed copy passed as a repeat: %v", alpha.stats)
	}

	// Another key for the same bytes (the remote joined again with new
	// keys since): verified, not taken from the memory.
	other, _ := simKeys(t, "other")
	ov, _ := raet.NewVerifier(other.VerKey())
	k, ok := alpha.seen.key(d.Data)
	if !ok || !alpha.seen.seen(k, beta.byName["alpha"].verfer) && !alpha.seen.seen(k, alpha.byName["beta"].verfer) {
		t.Fatal("the datagram is not remembered with the key it verified with")
	}
	if alpha.seen.seen(k, ov) {
		t.Fatal("a remembered datagram passes with another key")
	}
	if _, ok := alpha.seen.key(make([]byte, verifiedSeenMax+1)); ok {
		t.Fatal("a large datagram is remembered")
	}
}

// The memory forgets its oldest datagrams beyond verifiedSeenKept, or
// verifiedSeenKeptOther on an estate that is not a main.
func TestVerifiedSeenBounded(t *testing.T) {
	if o := newVerifiedSeen(false); o.by.kept != verifiedSeenKeptOther {
		t.Fatalf("a non-main keeps %d", o.by.kept)
	}
	s := newVerifiedSeen(true)
	signer, _ := simKeys(t, "alpha")
	v, _ := raet.NewVerifier(signer.VerKey())
	first, _ := s.key([]byte{0})
	for i := range verifiedSeenKept + 10 {
		k, _ := s.key([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		s.verified(k, v)
	}
	if s.by.len() != verifiedSeenKept || s.seen(first, v) {
		t.Fatalf("%d remembered, the first still: %v", s.by.len(), s.seen(first, v))
	}
}

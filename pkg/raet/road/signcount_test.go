package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Each road packet is signed once by its sender and its signature verified
// once by its receiver: a one-packet message costs the sender one signature
// (the message) and the receiver one (its done), and each side verifies
// what the other signed, once. A packet verified again on the loop after
// its checker verified it, a signature made for a packet never sent, or an
// extra ack would break the equalities; the job path's crypto floor
// (BENCHMARKS.md) counts on them.
func TestOneSignatureAndVerificationPerPacket(t *testing.T) {
	p := newUDPPair(t, udpOptions{})
	defer p.cancel()
	back, ok := p.alpha.UID("beta")
	if !ok {
		t.Fatal("alpha does not know beta")
	}
	counts := func() (signedA, signedB, verifiedA, verifiedB uint64) {
		p.alpha.do(func(c *core) { signedA, verifiedA = c.signer.Signatures(), c.byName["beta"].verfer.Verifications() })
		p.beta.do(func(c *core) { signedB, verifiedB = c.signer.Signatures(), c.byName["alpha"].verfer.Verifications() })
		return
	}
	// The join and allow that made the pair are over once the counts
	// stand still (their last packet may still be on its way).
	var sa0, sb0, va0, vb0 uint64
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		sa, sb, va, vb := counts()
		if sa == sa0 && sb == sb0 && va == va0 && vb == vb0 && va == sb && vb == sa {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the counts did not settle: alpha signed %d, beta verified %d; beta signed %d, alpha verified %d", sa, vb, sb, va)
		}
		sa0, sb0, va0, vb0 = sa, sb, va, vb
	}
	const n = 40
	for i := range n {
		for _, dir := range []struct {
			from, to *Stack
			uid      uint32
		}{{p.beta, p.alpha, p.uid}, {p.alpha, p.beta, back}} {
			d := dir.from.Transmit(body.Map{{Key: "i", Value: i}}, dir.uid, 0)
			select {
			case <-dir.to.Receive():
			case <-time.After(30 * time.Second):
				t.Fatalf("message %d from %s not received", i, dir.from.Name())
			}
			if err := d.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	sa, sb, va, vb := counts()
	sa, sb, va, vb = sa-sa0, sb-sb0, va-va0, vb-vb0
	if va != sb || vb != sa {
		t.Errorf("alpha signed %d packets and beta verified %d; beta signed %d and alpha verified %d", sa, vb, sb, va)
	}
	// 2n: n messages and n dones each; a keep-alive may come between.
	if sa < 2*n || sa > 2*n+2 || sb < 2*n || sb > 2*n+2 {
		t.Errorf("for %d messages each way, alpha signed %d packets and beta %d, want %d", n, sa, sb, 2*n)
	}
}

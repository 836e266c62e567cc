package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// The simulations' receive is the production path: the loop's snapshot of
// verify keys is published as a running stack publishes it, the workers'
// half (check) verifies a known remote's packet with it, and the loop's half
// takes the packet without verifying it again, or drops a forged one.
func TestReceiveGoesTheWorkersWay(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.quiesce(time.Minute)
	ra := alpha.byName["beta"]
	if ra.verfer == nil || alpha.keys.Load().get(ra.UID) != ra.verfer {
		t.Fatalf("the simulation did not publish beta's verify key for the workers' half")
	}
	h := wire.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktRequest, TK: raet.TrnsAlive,
		SE: r.UID, DE: r.FUID, SI: r.SID, TI: r.nextTID(), CK: raet.CoatNacl, FK: raet.FootNacl}
	p, err := wire.Pack(&h, nil, nil, beta.signer)
	if err != nil {
		t.Fatal(err)
	}
	if v := check(beta.conn.LocalAddr(), p.Datagram(), &alpha.keys, true); v.err != nil || v.with != ra.verfer {
		t.Fatalf("check: err %v, verified with the remote's key: %v", v.err, v.with == ra.verfer)
	}
	forged := append([]byte(nil), p.Datagram()...)
	forged[len(forged)-1] ^= 1
	answered, dropped := alpha.stats["alive_complete"], alpha.stats["parsing_outer_error_signature"]
	alpha.receive(beta.conn.LocalAddr(), forged)
	alpha.receive(beta.conn.LocalAddr(), p.Datagram())
	if alpha.stats["parsing_outer_error_signature"] != dropped+1 || alpha.stats["alive_complete"] != answered+1 {
		t.Errorf("forged dropped %d, genuine answered %d; stats %v",
			alpha.stats["parsing_outer_error_signature"]-dropped, alpha.stats["alive_complete"]-answered, alpha.stats)
	}
}

package road

import (
	"bytes"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A stack restarted on its keep is the same estate whatever its
// configuration says: name, uid and keys come from the keep, its remotes
// come back joined with a newer session, and the road mends without an
// operator: presence management allows again and messages flow.
func TestRestartWithKeep(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	oldVer := beta.signer.VerHex()
	other, otherPriv := simKeys(t, "someone-else")
	beta2 := s.restart(beta, Config{Name: "renamed", Signer: other, Privateer: otherPriv, Manage: true, ManageCascade: true}, raet.AutoAlways, false)
	if beta2.name != "beta" || beta2.uid != 1 || beta2.signer.VerHex() != oldVer {
		t.Fatalf("restarted as %q uid %d: the keep's identity did not win", beta2.name, beta2.uid)
	}
	r := beta2.byName["alpha"]
	if r == nil || r.Joined != Yes || r.SID != 3 || r.Allowed != Unknown || r.verfer == nil {
		t.Fatalf("restored remote %+v", r)
	}
	s.runUntil(time.Minute, "allowed again", func() bool {
		rb := alpha.byName["beta"]
		return r.Allowed == Yes && rb.Allowed == Yes && len(r.transactions) == 0
	})
	o := beta2.send(alpha, body.Map{{Key: "after", Value: "restart"}}, 0)
	s.runUntil(time.Minute, "message after restart", func() bool { return o.reported })
	if o.err != nil || len(alpha.received) != 1 {
		t.Errorf("message after restart: %v, received %v", o.err, alpha.received)
	}
	if alpha.byName["beta"].UID != 2 || len(alpha.remotes) != 1 {
		t.Errorf("alpha's road changed: %v", alpha.remotes)
	}
}

// A joiner that lost its keep comes back with new keys under its old name.
// A main on auto once refuses the changed keys; on auto always it takes them
// on a mutable road.
func TestRestartWithoutKeepNewKeys(t *testing.T) {
	for _, c := range []struct {
		auto    raet.AutoMode
		mutable bool
		joined  bool
	}{{raet.AutoOnce, true, false}, {raet.AutoAlways, true, true}, {raet.AutoAlways, false, false}} {
		s := newSim(t, 1)
		alpha := s.add(Config{Name: "alpha", Main: true, Mutable: c.mutable}, 7560, c.auto)
		beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
		beta.joinTo(alpha)
		s.quiesce(time.Minute)
		other, otherPriv := simKeys(t, "beta-new-keys")
		beta2 := s.restart(beta, Config{Name: "beta", Signer: other, Privateer: otherPriv}, raet.AutoAlways, true)
		r := beta2.joinTo(alpha)
		s.quiesce(time.Minute)
		got := r.Joined == Yes
		if got != c.joined {
			t.Errorf("auto %s mutable %v: joined %v, want %v (alpha %v)", c.auto, c.mutable, got, c.joined, alpha.stats)
		}
		if rb := alpha.byName["beta"]; c.joined && (rb == nil || !bytes.Equal(rb.verfer.Key(), other.VerKey())) {
			t.Errorf("auto %s: alpha does not hold beta's new key", c.auto)
		}
	}
}

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

// A main restarted on its keep keeps its road: its remotes come back and
// the sessions mend through presence management.
func TestRestartMainWithKeep(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	alpha2 := s.restart(alpha, Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true}, raet.AutoAlways, false)
	rb := alpha2.byName["beta"]
	if rb == nil || rb.Joined != Yes || rb.SID != 3 {
		t.Fatalf("alpha's restored view of beta: %+v", rb)
	}
	s.runUntil(time.Minute, "allowed again", func() bool { return rb.Allowed == Yes && r.Allowed == Yes })
	o := beta.send(alpha2, body.Map{{Key: "to", Value: "restarted main"}}, 0)
	s.runUntil(time.Minute, "delivered", func() bool { return o.reported })
	if o.err != nil || len(alpha2.received) != 1 {
		t.Errorf("after the main's restart: %v, received %v", o.err, alpha2.received)
	}
}

// A main that lost its keep no longer knows the uid the joiner names: it
// answers renew, and a joiner on a mutable road joins again vacuously.
func TestRestartMainWithoutKeepRenews(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Mutable: true}, 7561, raet.AutoAlways)
	r := beta.joinTo(alpha)
	s.quiesce(time.Minute)
	alpha2 := s.restart(alpha, Config{Name: "alpha", Main: true}, raet.AutoAlways, true)
	if len(alpha2.remotes) != 0 {
		t.Fatal("a fresh keep restored remotes")
	}
	beta.join(r, false, false) // non-vacuous: beta still knows alpha's uid for it
	s.quiesce(time.Minute)
	if beta.stats["joiner_rx_renew"] != 1 || beta.stats["join_renew_attempt"] != 1 {
		t.Errorf("no renew: beta %v", beta.stats)
	}
	if r.Joined != Yes || alpha2.byName["beta"] == nil || alpha2.byName["beta"].Joined != Yes {
		t.Errorf("not joined again after renew: beta's view %+v", r)
	}
}

// Two estates that join each other at once: the non-vacuous join wins over
// a vacuous one, and between equals the estate whose name sorts lower keeps
// its own; either way one join completes and both sides agree.
func TestSimultaneousJoins(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Main: true}, 7561, raet.AutoAlways)
	ra := alpha.joinTo(beta)
	rb := beta.joinTo(alpha)
	s.quiesce(time.Minute)
	refused := alpha.stats["redundant_join_attempt"] + beta.stats["redundant_join_attempt"]
	if refused == 0 {
		t.Errorf("no join was refused: alpha %v beta %v", alpha.stats, beta.stats)
	}
	// alpha sorts lower: it keeps its own join; beta gives its own up and
	// answers alpha's.
	if alpha.stats["join_initiate_complete"] != 1 || beta.stats["join_correspond_complete"] != 1 ||
		beta.stats["join_initiate_complete"] != 0 {
		t.Errorf("alpha's join did not win: alpha %v beta %v", alpha.stats, beta.stats)
	}
	b := beta.byName["alpha"]
	if ra.Joined != Yes || b == nil || b.Joined != Yes || b != rb {
		t.Fatalf("views: alpha's of beta %+v, beta's of alpha %+v", ra, b)
	}
	if ra.FUID != b.UID || b.FUID != ra.UID || len(beta.remotes) != 1 || len(alpha.remotes) != 1 {
		t.Errorf("the two sides disagree: alpha %v beta %v", alpha.remotes, beta.remotes)
	}
}

// An estate that comes back under a new name with the same keys and uids:
// a mutable road renames it (and moves its keep file); an immutable road
// refuses the change.
func TestJoinRenamed(t *testing.T) {
	for _, mutable := range []bool{true, false} {
		s := newSim(t, 1)
		alpha := s.add(Config{Name: "alpha", Main: true, Mutable: mutable}, 7560, raet.AutoAlways)
		beta := s.add(Config{Name: "beta", Mutable: mutable}, 7561, raet.AutoAlways)
		r := beta.joinTo(alpha)
		s.quiesce(time.Minute)
		beta.name = "beta2" // same keys, same uids, another name
		beta.join(r, false, false)
		s.quiesce(time.Minute)
		renamed := alpha.byName["beta2"]
		switch {
		case mutable && (renamed == nil || alpha.byName["beta"] != nil || renamed.Joined != Yes || r.Joined != Yes):
			t.Errorf("mutable: alpha's remotes %v, beta's view %+v", alpha.byName, r)
		case !mutable && (renamed != nil || alpha.byName["beta"] == nil || alpha.stats["join_immutable_change"] != 1):
			t.Errorf("immutable: alpha took the new name: %v %v", alpha.byName, alpha.stats)
		}
		if mutable {
			ks, _ := alpha.keep.LoadRemotes()
			if len(ks) != 1 || ks[0].Name != "beta2" {
				t.Errorf("mutable: alpha's keep holds %+v, want only beta2", ks)
			}
		}
	}
}

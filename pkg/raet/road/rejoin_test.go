package road

import (
	"errors"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// pinningAcceptor keeps the first keys each role shows and refuses other
// keys for it until they are forgotten: a minion's stored master key, as
// Salt's minion_master.pub.
type pinningAcceptor struct{ keys map[string]string }

func (a *pinningAcceptor) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	if old, ok := a.keys[role]; ok && old != verhex+pubhex {
		return raet.Rejected, nil
	}
	a.keys[role] = verhex + pubhex
	return raet.Accepted, nil
}

// A main that comes back with new keys, on its keep or on a fresh one,
// answers nothing its joiner can verify; both are immutable. The joiner,
// rejoining it vacuously once it is lost, judges the new keys and refuses
// them; once the stored key is forgotten, a join under the same uid is
// taken by the main, whose keep may still hold the joiner under that uid,
// and messages flow, without the joiner restarting.
func TestRejoinMainWithNewKeys(t *testing.T) {
	for _, keepKept := range []bool{true, false} {
		s := newSim(t, 1)
		acc := &pinningAcceptor{keys: map[string]string{}}
		mainCfg := Config{Name: "alpha", Main: true, Manage: true, ManageCascade: true}
		alpha := s.add(mainCfg, 7560, raet.AutoAlways)
		beta := s.add(Config{Name: "beta", Manage: true, ManageCascade: true, Acceptor: acc}, 7561, raet.AutoAlways)
		r := beta.joinAt(alpha.conn.LocalAddr(), 0, true)
		uid := r.UID
		s.runUntil(time.Minute, "allowed", func() bool { return r.Allowed == Yes && r.Alived == Yes })

		sig, pri := simKeys(t, "alpha-new-keys")
		mainCfg.Signer, mainCfg.Privateer = sig, pri
		alpha2 := s.restart(alpha, mainCfg, raet.AutoAlways, !keepKept)
		if keepKept { // the keep's keys win at restore: the new ones are made afterwards
			alpha2.signer, alpha2.priver = sig, pri
			alpha2.dumpLocal()
		}
		s.runUntil(time.Minute, "alpha lost", func() bool { return r.Alived == No })
		beta.rejoin(r, true)
		s.runUntil(time.Minute, "alpha's new keys refused", func() bool { return beta.remotes[uid] == nil })

		delete(acc.keys, "alpha")
		r2 := beta.joinAt(alpha2.conn.LocalAddr(), uid, true)
		s.runUntil(time.Minute, "joined and allowed again", func() bool {
			rb := alpha2.byName["beta"]
			return r2.Allowed == Yes && rb != nil && rb.Allowed == Yes
		})
		if r2.UID != uid || r2.Name != "alpha" {
			t.Errorf("keep %v: alpha is %q uid %d, want uid %d", keepKept, r2.Name, r2.UID, uid)
		}
		o := beta.send(alpha2, body.Map{{Key: "after", Value: "new keys"}}, 0)
		s.runUntil(time.Minute, "message", func() bool { return o.reported })
		if o.err != nil || len(alpha2.received) != 1 {
			t.Errorf("keep %v: message after the rejoin: %v, received %v", keepKept, o.err, alpha2.received)
		}
		if n := alpha2.stats["join_immutable_change"]; n != 0 {
			t.Errorf("keep %v: alpha refused %d joins as a change", keepKept, n)
		}
	}
}

// The immutable rule still holds against a rejoin: a joiner that shows
// other keys under a name the main knows is refused, whatever its uid.
func TestRejoinChangedKeysStillRefused(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	r := beta.joinAt(alpha.conn.LocalAddr(), 0, false)
	s.quiesce(time.Minute)
	sig, pri := simKeys(t, "beta-new-keys")
	beta.signer, beta.priver = sig, pri
	beta.rejoin(r, false)
	s.quiesce(time.Minute)
	if alpha.stats["join_immutable_change"] == 0 || r.Joined == Yes {
		t.Errorf("changed keys taken: alpha %v, beta's join %v", alpha.stats, r.Joined)
	}
}

// A message on its way to a remote that went silent is reported failed
// when the remote is joined again, for its sender to send it again, and
// nothing of the old session stays behind under ids that changed.
func TestRejoinEndsWhatWasInFlight(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	alpha.ep.SetHandler(nil) // alpha goes deaf
	o := beta.send(alpha, body.Map{{Key: "in", Value: "flight"}}, 0)
	s.runUntil(time.Minute, "alpha lost", func() bool { return r.Alived == No })
	beta.rejoin(r, true)
	if !o.reported || !errors.Is(o.err, ErrNotAllowed) {
		t.Fatalf("the message in flight: reported %v, %v", o.reported, o.err)
	}
	for _, tx := range r.transactions {
		if tx.kind() != raet.TrnsJoin {
			t.Errorf("a %v transaction outlived the rejoin", tx.kind())
		}
	}
	alpha.ep.SetHandler(func(d netsim.Datagram) { alpha.receive(d.From, d.Data) })
	s.runUntil(time.Minute, "allowed again", func() bool { return r.Allowed == Yes })
	o = beta.send(alpha, body.Map{{Key: "sent", Value: "again"}}, 0)
	s.runUntil(time.Minute, "sent again", func() bool { return o.reported })
	if o.err != nil {
		t.Errorf("the message sent again: %v", o.err)
	}
}

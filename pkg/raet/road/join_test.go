package road

import (
	"errors"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// The bootstrap of every road: a stack that knows only the main's address
// joins it vacuously, and both end up knowing each other by name, uid, role
// and keys, with a session started and the keep written.
func TestJoinVacuous(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	r := beta.joinTo(alpha)
	s.quiesce(10 * time.Second)

	if r.Joined != Yes || r.Name != "alpha" || r.UID != 2 || r.FUID != 2 || r.SID != 1 || r.RSID != 0 || !r.Main {
		t.Errorf("beta's view of alpha: %+v", r)
	}
	rb := alpha.byName["beta"]
	if rb == nil || rb.Joined != Yes || rb.UID != 2 || rb.FUID != 2 || rb.SID != 1 || rb.Main || rb.HA != beta.conn.LocalAddr() {
		t.Fatalf("alpha's view of beta: %+v", rb)
	}
	if rb.verfer.Hex() != beta.signer.VerHex() || r.pubber.Hex() != alpha.priver.PubHex() {
		t.Error("the long-term keys were not exchanged")
	}
	if len(alpha.joinees) != 0 || len(beta.joinees) != 0 {
		t.Error("vacuous joinees left behind")
	}
	if st := s.net.Stats(); st.Sent != 3 {
		t.Errorf("%d datagrams, want 3 (request, response, ack)", st.Sent)
	}
	if alpha.stats["join_correspond_complete"] != 1 || beta.stats["join_initiate_complete"] != 1 {
		t.Errorf("stats alpha %v beta %v", alpha.stats, beta.stats)
	}
	// Both keeps hold the other, accepted, with the session.
	for _, c := range []struct {
		st   *simStack
		peer string
	}{{alpha, "beta"}, {beta, "alpha"}} {
		remotes, err := c.st.keep.LoadRemotes()
		if err != nil || len(remotes) != 1 {
			t.Fatalf("%s's keep: %v %v", c.st.name, remotes, err)
		}
		k := remotes[0]
		if k.Name != c.peer || k.SID != 1 || k.Joined == nil || !*k.Joined || k.Acceptance == nil || *k.Acceptance != raet.Accepted {
			t.Errorf("%s's keep of %s: %+v", c.st.name, c.peer, k)
		}
		if l, err := c.st.keep.LoadLocal(); err != nil || l == nil || l.PUID != 2 || l.Name != c.st.name {
			t.Errorf("%s's local keep: %+v %v", c.st.name, l, err)
		}
	}
}

// With auto never the main pends the joiner's key; once an operator accepts
// it in the keep, the waiting join completes within the joinent's redo
// maximum (2 s), not the reference's 60.
func TestJoinPendingThenAccepted(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true, Timers: Timers{JoinentTimeout: Never}}, 7560, raet.AutoNever)
	beta := s.add(Config{Name: "beta", Timers: Timers{JoinerTimeout: Never}}, 7561, raet.AutoAlways)
	r := beta.joinTo(alpha)
	s.runUntil(10*time.Second, "pend", func() bool { return beta.stats["joiner_rx_pend"] == 1 })
	pended := s.clk.Now()
	s.runUntil(30*time.Second, "20 s of waiting", func() bool { return s.clk.Now().Sub(pended) > 20*time.Second })
	if r.Joined == Yes || alpha.byName["beta"] == nil || alpha.byName["beta"].Joined == Yes {
		t.Fatal("joined while pending")
	}
	a, _, _, err := alpha.keep.RoleAcceptance("beta")
	if err != nil || a == nil || *a != raet.Pending {
		t.Fatalf("alpha's keep has beta %v, %v; want pending", a, err)
	}
	if err := alpha.keep.AcceptRemote("beta"); err != nil {
		t.Fatal(err)
	}
	accepted := s.clk.Now()
	s.runUntil(10*time.Second, "joined after acceptance", func() bool { return r.Joined == Yes && alpha.byName["beta"].Joined == Yes })
	if d := s.clk.Now().Sub(accepted); d > 2*time.Second {
		t.Errorf("joined %v after the operator accepted, want within 2 s", d)
	}
}

// A stack that is not main refuses vacuous joins: the joiner forgets it.
func TestJoinRejectedByNonMain(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha"}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	r := beta.joinTo(alpha)
	s.quiesce(10 * time.Second)
	if _, known := beta.remotes[r.UID]; known || beta.stats["joiner_rx_reject"] != 1 {
		t.Errorf("beta still knows the remote that rejected it: stats %v", beta.stats)
	}
	if len(alpha.remotes) != 0 {
		t.Errorf("alpha kept a remote it rejected: %v", alpha.remotes)
	}
}

// A role the main's operator rejected is refused, and nothing is kept.
func TestJoinRejectedRole(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true}, 7560, raet.AutoNever)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	// The operator saw beta's key before and rejected it.
	if _, err := alpha.keep.StatusRole("beta", beta.signer.VerHex(), beta.priver.PubHex()); err != nil {
		t.Fatal(err)
	}
	if err := alpha.keep.RejectRemote("beta"); err != nil {
		t.Fatal(err)
	}
	r := beta.joinTo(alpha)
	s.quiesce(10 * time.Second)
	if _, known := beta.remotes[r.UID]; known || len(alpha.remotes) != 0 {
		t.Errorf("a rejected role joined: beta %v alpha %v", beta.stats, alpha.remotes)
	}
}

// Over a network that loses, duplicates and reorders, the joiner completes
// its join for every seed, and the main either completes too or was told its
// response is stale (the reference's join has no ack of its ack).
func TestJoinOverLossyNetwork(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		s := newSim(t, seed)
		s.net.SetFaults(netsim.Faults{Loss: 0.3, Duplicate: 0.1, Delay: time.Millisecond, Jitter: 30 * time.Millisecond})
		never := Timers{JoinerTimeout: Never, JoinentTimeout: Never}
		alpha := s.add(Config{Name: "alpha", Main: true, Timers: never}, 7560, raet.AutoAlways)
		beta := s.add(Config{Name: "beta", Timers: never}, 7561, raet.AutoAlways)
		r := beta.joinTo(alpha)
		s.runUntil(5*time.Minute, "joiner joined", func() bool { return r.Joined == Yes })
		s.quiesce(5 * time.Minute)
		rb := alpha.byName["beta"]
		if rb == nil {
			t.Fatalf("seed %d: alpha does not know beta", seed)
		}
		if rb.Joined != Yes && alpha.stats["joinent_rx_nack"] == 0 {
			t.Errorf("seed %d: alpha neither joined nor was nacked: %v", seed, alpha.stats)
		}
		if r.UID != 2 || r.FUID != rb.UID || rb.FUID != r.UID {
			t.Errorf("seed %d: uids %d/%d vs %d/%d", seed, r.UID, r.FUID, rb.UID, rb.FUID)
		}
	}
}

// acceptorFunc is an Acceptor made of a function, as Salt's key store is
// plugged in.
type acceptorFunc func(role, verhex, pubhex string) (raet.Acceptance, error)

func (f acceptorFunc) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	return f(role, verhex, pubhex)
}

// An Acceptor decides instead of the keep: it is asked with the joiner's
// role and keys, a pending answer pends the join, the acceptance it gives
// later completes the join within 2 s, and an error rejects.
func TestJoinAcceptor(t *testing.T) {
	s := newSim(t, 1)
	status := raet.Pending
	var asked []string
	acc := acceptorFunc(func(role, verhex, pubhex string) (raet.Acceptance, error) {
		asked = append(asked, role+" "+verhex[:8]+" "+pubhex[:8])
		return status, nil
	})
	alpha := s.add(Config{Name: "alpha", Main: true, Acceptor: acc, Timers: Timers{JoinentTimeout: Never}}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Timers: Timers{JoinerTimeout: Never}}, 7561, raet.AutoAlways)
	r := beta.joinTo(alpha)
	s.runUntil(10*time.Second, "pend", func() bool { return beta.stats["joiner_rx_pend"] == 1 })
	want := "beta " + beta.signer.VerHex()[:8] + " " + beta.priver.PubHex()[:8]
	if len(asked) == 0 || asked[0] != want {
		t.Fatalf("asked %q, want %q", asked, want)
	}
	pended := s.clk.Now()
	s.runUntil(time.Minute, "10 s pending", func() bool { return s.clk.Now().Sub(pended) > 10*time.Second })
	if r.Joined == Yes {
		t.Fatal("joined while the acceptor said pending")
	}
	status = raet.Accepted
	accepted := s.clk.Now()
	s.runUntil(10*time.Second, "joined", func() bool { return r.Joined == Yes && alpha.byName["beta"].Joined == Yes })
	if d := s.clk.Now().Sub(accepted); d > 2*time.Second {
		t.Errorf("joined %v after acceptance, want within 2 s", d)
	}

	// An acceptor that fails rejects.
	s2 := newSim(t, 1)
	failing := acceptorFunc(func(string, string, string) (raet.Acceptance, error) {
		return raet.Accepted, errors.New("disk on fire")
	})
	gamma := s2.add(Config{Name: "gamma", Main: true, Acceptor: failing}, 7560, raet.AutoAlways)
	delta := s2.add(Config{Name: "delta"}, 7561, raet.AutoAlways)
	rd := delta.joinTo(gamma)
	s2.quiesce(time.Minute)
	if rd.Joined == Yes || gamma.stats["keep_error"] == 0 || len(gamma.remotes) != 0 {
		t.Errorf("a failing acceptor let delta join: %v", gamma.stats)
	}
}

package road

import (
	"fmt"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// laterAcceptor decides off the loop as the Salt master's judge does: a
// question is queued and answered ErrDeciding; the test decides the
// queue at its own pace and hands the stack the decisions.
type laterAcceptor struct {
	queue  []Decision
	queued map[string]bool
}

func newLaterAcceptor() *laterAcceptor { return &laterAcceptor{queued: map[string]bool{}} }

func (a *laterAcceptor) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	if !a.queued[role] {
		a.queued[role] = true
		a.queue = append(a.queue, Decision{Role: role, VerHex: verhex, PubHex: pubhex, Acceptance: raet.Accepted})
	}
	return raet.Pending, ErrDeciding
}

// decide takes up to n questions off the queue, each accepted.
func (a *laterAcceptor) decide(n int) []Decision {
	n = min(n, len(a.queue))
	ds := a.queue[:n:n]
	a.queue = a.queue[n:]
	for _, d := range ds {
		delete(a.queued, d.Role)
	}
	return ds
}

// A flood of joins far beyond what the main decides at once, through a
// lossy network: the main takes MaxDeciding at a time and drops the rest
// unanswered, the joiners come back on their own (redo, then presence),
// and every one ends joined and allowed on both sides, each once.
func TestJoinFloodAdmittedAllAllowed(t *testing.T) {
	const n, maxDeciding = 60, 4
	s := newSim(t, 7)
	s.net.SetFaults(netsim.Faults{Loss: 0.05, Delay: time.Millisecond, Jitter: 2 * time.Millisecond})
	acc := newLaterAcceptor()
	main := s.add(Config{Name: "main", Main: true, Mutable: true, Acceptor: acc, MaxDeciding: maxDeciding,
		Manage: true, ManageCascade: true}, 7600, raet.AutoAlways)
	var joiners []*Remote
	for i := range n {
		st := s.add(Config{Name: fmt.Sprintf("m%02d", i), Manage: true, ManageCascade: true}, uint16(7601+i), raet.AutoAlways)
		r := newRemote(0, main.conn.LocalAddr())
		st.addRemote(r)
		st.join(r, false, true)
		joiners = append(joiners, r)
	}
	next := s.clk.Now()
	most := 0 // the most joins deciding at once
	s.runUntil(10*time.Minute, "every joiner allowed", func() bool {
		if now := s.clk.Now(); !now.Before(next) { // the acceptor's pace: 2 decisions each 50 ms
			next = now.Add(50 * time.Millisecond)
			if ds := acc.decide(2); len(ds) > 0 {
				main.decided(ds, now)
			}
		}
		most = max(most, len(main.deciding))
		for _, r := range joiners {
			if r.Allowed != Yes {
				return false
			}
		}
		allowed := 0
		for _, r := range main.remotes {
			if r.Allowed == Yes {
				allowed++
			}
		}
		return allowed == n
	})
	if len(main.remotes) != n {
		t.Errorf("the main holds %d remotes for %d joiners", len(main.remotes), n)
	}
	for i := range n {
		if r := main.byName[fmt.Sprintf("m%02d", i)]; r == nil || r.Joined != Yes || r.Allowed != Yes {
			t.Errorf("m%02d at the main: %+v", i, r)
		}
	}
	// New joins stop at MaxDeciding; joins already taken may ask again
	// (a lost response, a redo), so a few more can be deciding, never the
	// flood.
	if most > 2*maxDeciding {
		t.Errorf("%d joins deciding at once, MaxDeciding %d", most, maxDeciding)
	}
	if main.stats["join_admission_dropped"] == 0 {
		t.Errorf("no join was dropped for admission: the flood never exceeded MaxDeciding (stats %v)", main.stats)
	}
	if main.stats["join_deciding"] < n {
		t.Errorf("%d joins pended while deciding, want at least %d", main.stats["join_deciding"], n)
	}
}

// A main that awaits its joiners starts no allow of its own toward an
// estate whose session it lost: the estate's next alive is answered
// unallowed, and the estate allows again itself.
func TestMainAwaitsJoinersAllow(t *testing.T) {
	s := newSim(t, 3)
	main := s.add(Config{Name: "main", Main: true, Manage: true, ManageCascade: true, AwaitJoiners: true}, 7700, raet.AutoAlways)
	beta := s.add(Config{Name: "beta", Manage: true, ManageCascade: true}, 7701, raet.AutoAlways)
	r := newRemote(0, main.conn.LocalAddr())
	beta.addRemote(r)
	beta.join(r, false, true)
	s.runUntil(time.Minute, "allowed", func() bool {
		rb := main.byName["beta"]
		return r.Allowed == Yes && rb != nil && rb.Allowed == Yes
	})
	rb := main.byName["beta"]
	rb.Allowed = No // the main lost the session
	s.runUntil(time.Minute, "beta allowed again", func() bool { return rb.Allowed == Yes })
	if main.stats["presence_awaits_joiner"] == 0 {
		t.Errorf("the main's presence never waited for beta: stats %v", main.stats)
	}
	if n := main.stats["allow_initiate_complete"]; n != 0 {
		t.Errorf("the main completed %d allows of its own", n)
	}
	if beta.stats["allow_initiate_complete"] < 2 {
		t.Errorf("beta allowed %d times, want again after the main lost the session", beta.stats["allow_initiate_complete"])
	}
}

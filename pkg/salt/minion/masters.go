package minion

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// master is one entry of the master option and what the road made of it.
type master struct {
	addr config.HostPort // as configured
	ha   netip.AddrPort  // resolved; zero until it is
	uid  uint32          // the remote's uid on the road; 0 while there is none
	// was is the uid the master had on the road before it was forgotten,
	// offered again at the next join: an immutable master takes a joiner
	// back only under the estate uid it knows.
	was     uint32
	name    string    // its estate name, once a join told it
	retryAt time.Time // when to resolve and join again while uid is 0
	// wait is the acceptance wait before the next join after a refusal:
	// zero until the first, then growing as Salt's AsyncAuth grows it.
	wait     time.Duration
	refusals int // in a row, since the last allow
	// rejoinAt is when a master that stopped answering is joined again,
	// unless it answers before (lostrejoin.go); zero when none is due.
	rejoinAt time.Time
	rejoins  int // joins again since it last answered (lostrejoin.go)
}

// acceptanceWait is Salt's back-off for a minion whose key the master has
// not accepted (salt/crypt.py AsyncAuth._authenticate): wait
// acceptance_wait_time, and after each wait double it while it is below
// acceptance_wait_time_max (0: never grow). It returns the wait before the
// next join and the one after it.
func acceptanceWait(cur, base, max time.Duration) (now, next time.Duration) {
	if max <= 0 {
		max = base
	}
	if cur <= 0 {
		cur = base
	}
	next = cur
	if cur < max {
		next = cur + cur
	}
	return cur, next
}

// masterSet is the minion's masters, in the order of the master option.
// The run loop changes it; the router and the jobs read it.
type masterSet struct {
	mu     sync.Mutex
	list   []*master
	random bool
	intn   func(int) int
}

func newMasterSet(addrs []config.MasterAddr, random bool) *masterSet {
	ms := &masterSet{random: random, intn: rand.IntN}
	for _, a := range addrs {
		ms.list = append(ms.list, &master{addr: a.External})
	}
	return ms
}

// byUID returns the master the road knows by uid.
func (ms *masterSet) byUID(uid uint32) *master {
	if uid == 0 {
		return nil
	}
	for _, m := range ms.list {
		if m.uid == uid {
			return m
		}
	}
	return nil
}

// nextJoin returns the earliest time a master not on the road is due to
// be joined; false when every master is on the road.
func (ms *masterSet) nextJoin() (next time.Time, ok bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for _, m := range ms.list {
		if m.uid == 0 && (!ok || m.retryAt.Before(next)) {
			next, ok = m.retryAt, true
		}
		if m.uid != 0 && !m.rejoinAt.IsZero() && (!ok || m.rejoinAt.Before(next)) {
			next, ok = m.rejoinAt, true
		}
	}
	return next, ok
}

// isMaster reports whether the estate with this uid on the road is one of
// this minion's masters.
func (ms *masterSet) isMaster(uid uint32) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.byUID(uid) != nil
}

// names returns the estate names of the masters the road has joined.
func (ms *masterSet) names() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var out []string
	for _, m := range ms.list {
		if m.uid != 0 && m.name != "" {
			out = append(out, m.name)
		}
	}
	return out
}

// pick chooses the master a request from a local tool goes to
// (SaltRaetRouterMinion): among the masters allowed on the road now, the
// first in the order of the master option, or a random one with
// random_master. ok is false when none is allowed.
func (ms *masterSet) pick(remotes map[uint32]road.RemoteState) (name string, uid uint32, ok bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var allowed []*master
	for _, m := range ms.list {
		if st, known := remotes[m.uid]; m.uid != 0 && known && st.Allowed == road.Yes {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return "", 0, false
	}
	chosen := allowed[0]
	if ms.random {
		chosen = allowed[ms.intn(len(allowed))]
	}
	name = chosen.name
	if st := remotes[chosen.uid]; st.Name != "" {
		name = st.Name
	}
	return name, chosen.uid, true
}

// masterAcceptor judges the keys of the masters that join: the minion's own
// key store under pki_dir, as Salt's SaltKeep makes RaetKey.status decide.
// With auto_accept (the minion's default) the first key a master shows is
// accepted and kept in accepted/<role>; a master whose keys have changed
// since is rejected, and said so, at error, with what to do about it.
type masterAcceptor struct {
	store *pki.Store
	log   logrus.FieldLogger

	mu   sync.Mutex
	said map[string]string // role: the last refusal or pending message logged
}

func (a *masterAcceptor) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	d, err := a.store.Decide(role, pubhex, verhex)
	if err != nil {
		a.once(role, logrus.ErrorLevel, fmt.Sprintf("Cannot judge the key of master %q: %v; refusing it", role, err))
		return raet.Rejected, err
	}
	for _, w := range d.Warnings {
		a.log.Warnf("Key of master %q: %v", role, w)
	}
	switch d.Status {
	case raet.Rejected:
		a.once(role, logrus.ErrorLevel, fmt.Sprintf("Refusing master %q: %s (fingerprint now %s). If the master's key was changed on purpose, remove %s: "+
			"the next join takes the new key (acceptance_wait_time)",
			role, d.Reason, pki.Fingerprint(pubhex, verhex), a.store.Path(raet.Accepted, role)))
	case raet.Pending:
		a.once(role, logrus.WarnLevel, fmt.Sprintf("The key of master %q is pending (%s): accept it by moving %s to %s",
			role, d.Reason, a.store.Path(raet.Pending, role), a.store.Path(raet.Accepted, role)))
	case raet.Accepted:
		a.once(role, logrus.InfoLevel, "")
		if d.New {
			a.log.Infof("Accepted the key of master %q (%s), fingerprint %s", role, d.Reason, pki.Fingerprint(pubhex, verhex))
		}
	}
	return d.Status, nil
}

// once logs msg unless it is what was last logged for role: the minion
// joins a refused master again and again, and the operator needs the
// reason once, not at every try. An empty msg clears the memory.
func (a *masterAcceptor) once(role string, level logrus.Level, msg string) {
	a.mu.Lock()
	if a.said == nil {
		a.said = map[string]string{}
	}
	same := a.said[role] == msg
	a.said[role] = msg
	a.mu.Unlock()
	if same || msg == "" {
		return
	}
	if level == logrus.ErrorLevel {
		a.log.Error(msg)
	} else {
		a.log.Warn(msg)
	}
}

// masterRefused follows the road forgetting a master: its join was
// refused or rejected, by the master's key store or by ours. The minion
// joins it again after Salt's acceptance wait, growing by itself up to
// acceptance_wait_time_max, so that an operator accepting the key or
// repairing a key file needs no restart of the minion. Only the first
// refusal in a row is an error; the retries that follow are info.
func (m *Minion) masterRefused(ms *master, name, addr string) {
	base := secondsOf(m.cfg.AcceptanceWaitTime)
	max := secondsOf(m.cfg.AcceptanceWaitTimeMax)
	m.masters.mu.Lock()
	ms.refusals++
	first := ms.refusals == 1
	wait, next := acceptanceWait(ms.wait, base, max)
	ms.was, ms.uid, ms.wait, ms.retryAt = ms.uid, 0, next, m.o.clock.Now().Add(wait)
	m.masters.mu.Unlock()
	m.stats.Add("master_refused")
	if first {
		m.log.Errorf("Master %s at %s refused this minion, or was refused by it (see the key messages above); "+
			"joining it again in %v (acceptance_wait_time)", name, addr, wait)
		return
	}
	m.log.Infof("Master %s at %s refused this minion again; waiting %v before the next join", name, addr, wait)
}

// secondsOf turns a float option in seconds into a duration.
func secondsOf(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

package master

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The shapes of the events Salt 3006's master fires that RAET's 2018.3
// master did not, or fired otherwise: salt/auth at every join, the
// "missing" list of salt/job/<jid>/new, and the "user" of a return.

// TagAuth is salt.utils.event.tagify(prefix="auth"): the tag of the event
// fired at every authentication (for us, every join) of a minion.
const TagAuth = "salt/auth"

// TagKey is protocol.TagKey: the tag of a key accepted, rejected or
// deleted by salt-key or the key wheel.
const TagKey = protocol.TagKey

// authEvent is the data of salt/auth for a join judged d (or failed with
// err), as salt/channel/server.py's _auth builds it: {result, act, id,
// pub}, with act pend, accept, reject or denied; a refusal Salt fires with
// no act (a rejected key, a key file it cannot read) has none. pub is the
// minion's RAET public (Curve25519) key in hex, the "pub" of its key file:
// RAET minions have no RSA key.
func authEvent(id, pubhex string, d pki.Decision, err error) body.Map {
	act, result := "", false
	switch {
	case err != nil, d.Reason == pki.ReasonAlreadyRejected, d.Reason == pki.ReasonPendingFull:
	case d.Reason == pki.ReasonAcceptedMismatch, d.Reason == pki.ReasonPendingMismatch:
		act = "denied"
	case d.Status == raet.Rejected:
		act = "reject"
	case d.Status == raet.Pending:
		act, result = "pend", true
	case d.Status == raet.Accepted:
		act, result = "accept", true
	}
	ev := body.Map{{Key: "result", Value: result}}
	if act != "" {
		ev = append(ev, body.Item{Key: "act", Value: act})
	}
	return append(ev, body.Item{Key: "id", Value: id}, body.Item{Key: "pub", Value: pubhex})
}

// maxJobUsers bounds the jobs whose user is remembered; past it the notes
// start over, and a return of a forgotten job is fired without a user.
const maxJobUsers = 4096

// jobUsers remembers who published each recent job, for the "user" Salt
// 3006's minions put in their returns (and so in salt/job/<jid>/ret/<id>),
// which RAET's returns do not carry.
type jobUsers struct {
	mu    sync.Mutex
	users map[string]string
}

func (j *jobUsers) note(jid string, load body.Map) {
	user, ok := load.String("user")
	if !ok {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.users == nil || len(j.users) >= maxJobUsers {
		j.users = map[string]string{}
	}
	j.users[jid] = user
}

func (j *jobUsers) of(jid string) (string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	u, ok := j.users[jid]
	return u, ok
}

// retEvent is the data of salt/job/<jid>/ret/<id>: the return load as the
// minion sent it, with the job's user when the load has none, as a 3006
// minion's return has it.
func (m *Master) retEvent(jid string, load body.Map) body.Map {
	if load.Has("user") {
		return load
	}
	user, ok := m.jobUsers.of(jid)
	if !ok {
		return load
	}
	return append(slices.Clone(load), body.Item{Key: "user", Value: user})
}

// presentIDs are the minion ids (the roles of the estates) available now,
// sorted: what Salt 3006's salt/presence/present and change list, where
// RAET's listed estate names (<id>_minion).
func (m *Master) presentIDs() []string { return presentIDsOf(m.road.Remotes()) }

// presentIDsOf is presentIDs of a snapshot of the road's remotes.
func presentIDsOf(remotes map[uint32]road.RemoteState) []string {
	ids := []string{}
	seen := map[string]bool{} // a set: thousands of minions are listed every presence interval
	for _, rs := range remotes {
		if rs.Allowed != road.Yes || rs.Alived != road.Yes {
			continue
		}
		id := rs.Role
		if id == "" {
			id = rs.Name
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// dataCacheRefreshed fires minion/refresh/<id> {"Minion data cache
// refresh": <id>} once the minion's data cache was written, as Salt
// 3006's _pillar does unless minion_data_cache_events is False.
func (m *Master) dataCacheRefreshed(id string) {
	if on, ok := m.cfg.Raw["minion_data_cache_events"].(bool); ok && !on {
		return
	}
	m.ev.fire("minion/refresh/"+id, body.Map{{Key: "Minion data cache refresh", Value: id}})
}

// authRepeat is how often the same salt/auth is fired again for a minion:
// Salt fires one at every authentication, which a minion waiting for
// acceptance retries every acceptance_wait_time (10 s); the road asks
// again at every redo of a pended join, several times a second at first.
const authRepeat = 10 * time.Second

// authPace lets a salt/auth through when it says something new for the id
// (another act or result) or the same was said authRepeat ago.
type authPace struct {
	mu   sync.Mutex
	last map[string]authSaid
}

type authSaid struct {
	what string
	at   time.Time
}

func (p *authPace) due(id string, ev body.Map) bool {
	act, _ := ev.Get("act")
	result, _ := ev.Get("result")
	what := fmt.Sprint(act, result)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil || len(p.last) >= maxKeyNotes {
		p.last = map[string]authSaid{}
	}
	if l, ok := p.last[id]; ok && l.what == what && now.Sub(l.at) < authRepeat {
		return false
	}
	p.last[id] = authSaid{what, now}
	return true
}

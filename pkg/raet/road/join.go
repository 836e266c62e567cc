package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Join exchanges names, uids, roles and long-term keys (raet-protocol.md
// 5.1). Its packets are neither signed nor encrypted: they carry the keys
// that later packets are signed and encrypted with. The joiner starts it;
// the joinent answers, and the keep of each side decides whether the other's
// role is accepted, pending or rejected.

// joinInProcess returns the join transactions running with a remote.
func joinInProcess(r *Remote) []transaction { return inProcess(r, raet.TrnsJoin) }

// joinSide is what the joiner and the joinent share: a head fixed at the
// start, the index of the request, and the wait of a pended join.
type joinSide struct {
	txBase
	head     wire.Head // fixed at the start: even the final ack of a vacuous join says de 0
	idx      txIndex   // the index of the request
	vacuous  bool      // the join began without the joiner's uid at the joinent
	pended   bool      // the other side's keep has the role pending
	pendRedo time.Duration
}

func (s *joinSide) headOf(pk raet.PcktKind) wire.Head {
	h := s.head
	h.PK = pk
	return h
}

func (s *joinSide) remove() {
	delete(s.r.transactions, s.idx)
	s.c.dropJoinee(s.r)
}

// ended takes the packets either side of a join may receive that pend or
// end it, and reports whether p was one.
func (s *joinSide) ended(p *wire.Packet) bool {
	switch p.PK {
	case raet.PcktPend:
		s.c.stat(s.side() + "_rx_pend")
		s.pended = true
	case raet.PcktNack, raet.PcktRefuse:
		s.c.stat(s.side() + "_rx_" + p.PK.String())
		s.fail()
	case raet.PcktReject:
		s.c.stat(s.side() + "_rx_reject")
		s.fail()
		s.c.removeRemote(s.r, true)
	default:
		return false
	}
	return true
}

// redoOrSettle runs once the redo timer has expired: it sends the last
// packet again when it is one that waits for an answer (of kind again,
// counted under stat), else asks whether an operator has decided on the
// role we pended since.
func (s *joinSide) redoOrSettle(now time.Time, again raet.PcktKind, stat string, accepted func()) {
	s.redo.again(now, s.pended, s.pendRedo)
	if s.last != nil && s.last.PK == again {
		s.transmit(s.last)
		s.c.stat(stat)
		return
	}
	switch s.c.statusRemote(s.r) {
	case raet.Accepted:
		accepted()
	case raet.Rejected:
		s.c.removeRemote(s.r, true)
	}
}

// settle weighs a join claim against the remote it is about, the same way
// on both sides (Joiner.accept, Joinent.join): a road that is not mutable
// refuses any change, the keep decides the role, and an accepted change is
// taken; fuid is the uid the claim gives the remote for us. A joinent's
// ephemeral remote joins the road here. It returns the role's acceptance,
// and false when the join has ended.
func (s *joinSide) settle(jc *joinClaim, from netip.AddrPort, fuid uint32) (raet.Acceptance, bool) {
	c, r := s.c, s.r
	sameRoleKeys := jc.sameRoleKeys(r)
	sameAll := sameRoleKeys && jc.name == r.Name && from == r.HA && fuid == r.FUID &&
		jc.main == r.Main && jc.kind == r.Kind
	if !sameAll && !c.cfg.Mutable {
		c.stat("join_immutable_change")
		s.nackKind(raet.PcktReject)
		return 0, false
	}
	status := c.statusRole(jc.role, jc.verhex, jc.pubhex, r)
	if status == raet.Rejected {
		if sameRoleKeys && (!s.rmt || s.onRoad()) {
			c.removeRemote(r, true) // which nacks this join too
		} else {
			s.nackKind(raet.PcktReject)
		}
		return status, false
	}
	r.Acceptance = &status
	if sameAll {
		if s.rmt && (!s.onRoad() || r.UID == 0) {
			c.addRemote(r) // the ephemeral remote joins the road
		}
		return status, true
	}
	if other, taken := c.byName[jc.name]; taken && other != r {
		s.nackKind(raet.PcktReject)
		return status, false
	}
	if jc.name != r.Name {
		c.renameRemote(r, jc.name)
	}
	r.HA, r.FUID = from, fuid
	jc.adopt(r)
	c.keyChanged(r.UID)
	return status, true
}

// onRoad reports whether the stack holds a remote by the uid of ours: a
// joinent's remote is ephemeral until it is accepted.
func (s *joinSide) onRoad() bool {
	_, known := s.c.remotes[s.r.UID]
	return known
}

// joiner is the side that starts a join (Joiner).
type joiner struct {
	joinSide
	renewal bool // a vacuous join again, after the joinent asked us to renew
	cascade bool // allow once joined
}

// join starts a join with a remote (RoadStack.join and Joiner.join); with
// cascade, an allow follows once joined.
func (c *core) join(r *Remote, renewal, cascade bool) {
	defer c.rewake(r)
	if len(joinInProcess(r)) > 0 {
		c.stat("join_already_in_process")
		return
	}
	t := c.cfg.Timers
	j := &joiner{renewal: renewal, cascade: cascade}
	j.vacuous, j.pendRedo = r.FUID == 0, t.PendRedo
	redoMin, redoMax := c.jittered(t.JoinerRedoMin, t.JoinerRedoMax)
	j.txBase = newTxBase(c, r, raet.TrnsJoin, false, 0, r.nextTID(), timeout(t.JoinerTimeout), redoMin, redoMax)
	j.self = j
	j.head = j.txBase.head(raet.PcktRequest, raet.CoatNada, raet.FootNada)
	j.idx = txIndexOf(&j.head, r.HA)
	r.Joined = Unknown
	if !j.sendKind(raet.PcktRequest, c.joinBody(0)) {
		return
	}
	r.transactions[j.idx] = j
	if j.vacuous {
		c.joinees[r.HA] = r
	}
	c.stat("joiner_tx_request")
}

func (j *joiner) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktResponse:
		j.c.stat("joiner_rx_response")
		j.accept(p)
	case raet.PcktRenew:
		j.c.stat("joiner_rx_renew")
		j.renew()
	default:
		j.ended(p)
	}
}

func (j *joiner) process(now time.Time) {
	if j.gaveUp(now) {
		j.remove()
		return
	}
	if !j.redo.expired(now) {
		return
	}
	j.redoOrSettle(now, raet.PcktRequest, "joiner_tx_join_redo", j.complete)
}

// accept takes the joinent's response (Joiner.accept).
func (j *joiner) accept(p *wire.Packet) {
	c, r := j.c, j.r
	plain, _ := p.Plain(nil)
	jc, ok := readJoinClaim(p.BK, plain, true)
	if !ok {
		c.stat("invalid_accept")
		j.remove()
		return
	}
	if j.vacuous {
		r.FUID = jc.uid
		c.keyChanged(r.UID)
		if !j.renewal {
			if jc.name != r.Name {
				if _, taken := c.byName[jc.name]; taken {
					j.nackKind(raet.PcktReject)
					return
				}
				c.renameRemote(r, jc.name)
			}
			jc.adopt(r)
		}
	}
	status, ok := j.settle(&jc, p.From, jc.uid)
	if !ok {
		return
	}
	if status == raet.Accepted {
		j.complete()
		return
	}
	c.dumpRemote(r)
	j.sendKind(raet.PcktPend, nil)
}

// complete finishes an accepted join (Joiner.completify and ackAccept).
func (j *joiner) complete() {
	c, r := j.c, j.r
	if r.SID == 0 { // a joined remote always has a session
		r.nextSID()
		c.replaceStaleInitiators(r)
	}
	if j.vacuous {
		r.RSID = 0 // so that the remote's first allow, in its new session, is valid
		r.forgetDone()
	}
	r.Joined = Yes
	c.dumpRemote(r)
	c.dumpLocal()
	j.sendKind(raet.PcktAck, nil)
	c.stat("join_initiate_complete")
	c.emit(EventJoined, r)
	j.remove()
	if j.cascade {
		c.allow(r, true)
	}
}

// renew joins again vacuously because the joinent lost our uid, if the
// road may change (Joiner.renew).
func (j *joiner) renew() {
	c, r := j.c, j.r
	if !c.cfg.Mutable {
		c.stat("join_renew_unallowed")
		j.fail()
		return
	}
	c.stat("join_renew_attempt")
	j.remove()
	r.FUID = 0
	c.dumpRemote(r)
	c.join(r, true, j.cascade)
}

// joinent is the side that answers a join (Joinent). Its head is the
// request's, ids mirrored and cf set; its nacks go where the request came
// from.
type joinent struct {
	joinSide
	heard time.Time // when the joiner last sent its request
}

// replyJoin answers a join request with a joinent (RoadStack.replyJoin).
func replyJoin(c *core, now time.Time, p *wire.Packet, r *Remote) {
	t := c.cfg.Timers
	e := &joinent{heard: now}
	e.pendRedo, e.idx = t.PendRedo, rxIndex(p)
	e.txBase = newTxBase(c, r, raet.TrnsJoin, true, p.SI, p.TI, timeout(t.JoinentTimeout), t.JoinentRedoMin, t.JoinentRedoMax)
	e.self, e.nackTo = e, p.From
	e.redo.wait = 0 // the reference starts the joinent's redo timer at 0
	e.head = wire.Head{HK: c.cfg.HeadKind, BK: c.cfg.BodyKind, TK: raet.TrnsJoin, SE: p.DE, DE: p.SE,
		CF: true, SI: p.SI, TI: p.TI}
	e.join(p)
}

func (e *joinent) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktRequest:
		e.c.stat("joinent_rx_request")
		e.heard = now
		e.join(p)
	case raet.PcktAck:
		e.c.stat("joinent_rx_ack")
		e.complete()
	default:
		e.ended(p)
	}
}

func (e *joinent) process(now time.Time) {
	if e.gaveUp(now) {
		e.nack()
		return
	}
	if !e.redo.expired(now) {
		return
	}
	if e.silent(now) {
		return
	}
	e.redoOrSettle(now, raet.PcktResponse, "joinent_tx_accept_redo", e.ackAccept)
}

// join handles the request (Joinent.join): checks it, settles races with a
// join of our own, and asks the keep about the joiner's role.
func (e *joinent) join(p *wire.Packet) {
	c := e.c
	plain, _ := p.Plain(nil)
	jc, ok := readJoinClaim(p.BK, plain, false)
	if !ok {
		c.stat("invalid_join")
		e.remove()
		return
	}
	e.vacuous = p.DE == 0
	if !e.winsRace(&jc) || !e.findRemote(p, &jc) {
		return
	}
	status, ok := e.settle(&jc, p.From, p.SE)
	if !ok {
		return
	}
	r := e.r
	r.transactions[e.idx] = e
	if e.vacuous {
		c.joinees[r.HA] = r
	}
	r.Joined = Unknown
	if status == raet.Accepted {
		e.redo.backoff(c.clock.Now())
		e.ackAccept()
		return
	}
	if _, deciding := c.deciding[jc.role]; !deciding {
		c.dumpRemote(r) // a decision under way is kept once taken (ackAccept)
	}
	e.sendKind(raet.PcktPend, nil)
}

// winsRace settles a join of the same remote already in process: the
// request again is ignored, a second joinent refused, and when both sides
// started a join, the non-vacuous one wins, and between equals the estate
// whose name sorts lower keeps its own. It reports whether this join goes on.
func (e *joinent) winsRace(jc *joinClaim) bool {
	c := e.c
	for _, t := range joinInProcess(e.r) {
		if t == transaction(e) { // the request again
			c.stat("duplicate_join_attempt")
			return false
		}
		other, ours := t.(*joiner)
		if !ours { // already answering a join of this remote
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return false
		}
		switch {
		case e.vacuous && !other.vacuous:
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return false
		case !e.vacuous && other.vacuous:
			other.nackKind(raet.PcktRefuse)
		case c.name < jc.name:
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return false
		default:
			other.nackKind(raet.PcktRefuse)
		}
	}
	return true
}

// findRemote settles which remote the request is from. A vacuous join is
// taken by a main only, from the remote of the claimed name when there is
// one, else by the ephemeral remote, which takes what the joiner says; any
// other must name the remote it came from. It reports whether the join
// goes on.
func (e *joinent) findRemote(p *wire.Packet, jc *joinClaim) bool {
	c := e.c
	if !e.vacuous {
		if c.remotes[p.DE] != e.r {
			e.nackKind(raet.PcktReject)
			return false
		}
		return true
	}
	if !c.cfg.Main { // only a main estate takes joins from estates it does not know
		e.nackKind(raet.PcktReject)
		return false
	}
	if known, ok := c.byName[jc.name]; ok {
		e.r = known
		return true
	}
	if known, ok := c.remotes[e.r.UID]; ok && known == e.r {
		// Not ephemeral after all: our own vacuous join to the same
		// address made it. Rename it on the road, not just in place
		// (the reference leaves its name index stale here).
		c.renameRemote(e.r, jc.name)
	} else {
		e.r.Name = jc.name
	}
	jc.adopt(e.r)
	c.keyChanged(e.r.UID)
	if e.r.FUID != p.SE {
		if e.r.FUID != 0 {
			e.nackKind(raet.PcktReject)
			return false
		}
		e.r.FUID = p.SE
	}
	return true
}

// ackAccept sends the response: who we are and the uid we gave the joiner.
// The remote and the uid we gave it are kept first. The reference keeps
// them only on the joiner's ack, so a main that went down between response
// and ack came back without the remote its joiner now counts as joined, and
// dropped everything the joiner sent it from then on. Kept, not yet joined,
// the remote's next allow is answered unjoined and it joins again.
func (e *joinent) ackAccept() {
	e.c.dumpRemote(e.r)
	e.c.dumpLocal()
	e.sendKind(raet.PcktResponse, e.c.joinBody(e.r.UID))
}

// complete takes the joiner's ack of our response (Joinent.complete).
func (e *joinent) complete() {
	c, r := e.c, e.r
	c.stat("join_correspond_complete")
	if r.SID == 0 {
		r.nextSID()
		c.replaceStaleInitiators(r)
	}
	if e.vacuous {
		r.RSID = 0
		c.forgetCorrespondents(r)
	}
	r.Joined = Yes
	c.dumpRemote(r)
	c.dumpLocal()
	e.remove()
	c.emit(EventJoined, r)
	c.displaceAt(r)
}

package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Join exchanges names, uids, roles and long-term keys (raet-protocol.md
// 5.1). Its packets are neither signed nor encrypted: they carry the keys
// that later packets are signed and encrypted with. The joiner starts it;
// the joinent answers, and the keep of each side decides whether the other's
// role is accepted, pending or rejected.

// joinInProcess returns the join transactions running with a remote.
func joinInProcess(r *Remote) []transaction {
	var js []transaction
	for _, idx := range r.inOrder() {
		if t := r.transactions[idx]; t.kind() == raet.TrnsJoin {
			js = append(js, t)
		}
	}
	return js
}

// joinBody is what each side says of itself: the request's fields, and in a
// response also the uid the joinent gives the joiner.
func (c *core) joinBody(uid uint32) body.Map {
	var mode int64
	if c.cfg.Main {
		mode = 1 // bit 0 of the operation flags: this stack is main
	}
	m := body.Map{
		{Key: "name", Value: c.name},
		{Key: "mode", Value: mode},
		{Key: "kind", Value: int64(c.cfg.Kind)},
	}
	if uid != 0 {
		m = append(m, body.Item{Key: "uid", Value: int64(uid)})
	}
	return append(m,
		body.Item{Key: "verhex", Value: c.signer.VerHex()},
		body.Item{Key: "pubhex", Value: c.priver.PubHex()},
		body.Item{Key: "role", Value: c.role})
}

// joinClaim is what a join packet says of the estate that sent it.
type joinClaim struct {
	name, role     string
	main           bool
	kind           uint8
	uid            uint32
	verhex, pubhex string
	verfer         *raet.Verifier
	pubber         *raet.Publican
}

// readJoinClaim checks a join body's fields as Joiner.accept and
// Joinent.join do, and the keys besides: a key that is not one is refused
// here, not found out at the first signature.
func readJoinClaim(bk raet.BodyKind, plain []byte, wantUID bool) (joinClaim, bool) {
	var jc joinClaim
	m, err := body.Decode(bk, plain)
	if err != nil {
		return jc, false
	}
	var ok bool
	if jc.name, ok = m.String("name"); !ok || jc.name == "" {
		return jc, false
	}
	mode, ok := m.Int("mode")
	if !ok || mode < 0 || mode > 255 {
		return jc, false
	}
	jc.main = mode&1 != 0
	kind, ok := m.Int("kind")
	if !ok || kind < 0 || kind > 255 {
		return jc, false
	}
	jc.kind = uint8(kind)
	if wantUID {
		uid, ok := m.Int("uid")
		if !ok || uid <= 0 || uid > 0xffffffff {
			return jc, false
		}
		jc.uid = uint32(uid)
	}
	if jc.verhex, ok = m.String("verhex"); !ok {
		return jc, false
	}
	if jc.pubhex, ok = m.String("pubhex"); !ok {
		return jc, false
	}
	if jc.role, ok = m.String("role"); !ok || jc.role == "" {
		return jc, false
	}
	vk, err := raet.KeyHex(jc.verhex)
	if err != nil {
		return jc, false
	}
	if jc.verfer, err = raet.NewVerifier(vk[:]); err != nil {
		return jc, false
	}
	pk, err := raet.KeyHex(jc.pubhex)
	if err != nil {
		return jc, false
	}
	jc.pubber, _ = raet.NewPublican(pk[:])
	return jc, true
}

// sameKeys reports whether a remote holds this role and these keys.
func (jc *joinClaim) sameRoleKeys(r *Remote) bool {
	return jc.role == r.Role && r.verfer != nil && r.pubber != nil &&
		jc.verhex == r.verfer.Hex() && jc.pubhex == r.pubber.Hex()
}

// adopt makes a remote what the claim says it is.
func (jc *joinClaim) adopt(r *Remote) {
	r.Main, r.Kind, r.Role = jc.main, jc.kind, jc.role
	if r.pubber == nil || !r.pubber.Equal(jc.pubber) {
		r.longBox = nil
	}
	r.verfer, r.pubber = jc.verfer, jc.pubber
}

// joiner is the side that starts a join (Joiner).
type joiner struct {
	txBase
	head     wire.Head // fixed at creation: even the final ack of a vacuous join says de 0
	idx      txIndex   // the index of the request
	vacuous  bool      // the join began without the remote's uid for us
	renewal  bool      // a vacuous join again, after the joinent asked us to renew
	cascade  bool      // allow once joined
	pended   bool      // the joinent's keep has our role pending
	pendRedo time.Duration
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
	j := &joiner{vacuous: r.FUID == 0, renewal: renewal, cascade: cascade, pendRedo: t.PendRedo}
	j.txBase = newTxBase(c, r, raet.TrnsJoin, false, 0, r.nextTID(), timeout(t.JoinerTimeout), t.JoinerRedoMin, t.JoinerRedoMax)
	j.head = j.txBase.head(raet.PcktRequest, raet.CoatNada, raet.FootNada)
	j.idx = txIndexOf(&j.head, r.HA)
	r.Joined = Unknown
	if !j.send(raet.PcktRequest, c.joinBody(0)) {
		return
	}
	r.transactions[j.idx] = j
	if j.vacuous {
		c.joinees[r.HA] = r
	}
	c.stat("joiner_tx_request")
}

// send packs and transmits a packet of the join's fixed head.
func (j *joiner) send(pk raet.PcktKind, v any) bool {
	h := j.head
	h.PK = pk
	return j.txBase.send(h, v, j.remove)
}

func (j *joiner) remove() {
	delete(j.r.transactions, j.idx)
	j.c.dropJoinee(j.r)
}

func (j *joiner) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktPend:
		j.c.stat("joiner_rx_pend")
		j.pended = true
	case raet.PcktResponse:
		j.c.stat("joiner_rx_response")
		j.accept(p)
	case raet.PcktNack, raet.PcktRefuse:
		j.c.stat("joiner_rx_" + p.PK.String())
		j.refuse()
	case raet.PcktRenew:
		j.c.stat("joiner_rx_renew")
		j.renew()
	case raet.PcktReject:
		j.c.stat("joiner_rx_reject")
		j.refuse()
		j.c.removeRemote(j.r, true)
	}
}

func (j *joiner) process(now time.Time) {
	if j.timedOut(now) {
		j.c.stat("joiner_timeout")
		j.remove()
		return
	}
	if !j.redo.expired(now) {
		return
	}
	j.redo.again(now, j.pended, j.pendRedo)
	if j.last != nil && j.last.PK == raet.PcktRequest {
		j.transmit(j.last)
		j.c.stat("joiner_tx_join_redo")
		return
	}
	// We pended the remote: see whether an operator has decided since.
	switch j.c.statusRemote(j.r) {
	case raet.Accepted:
		j.complete()
	case raet.Rejected:
		j.c.removeRemote(j.r, true)
	}
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
		c.verifiersChanged = true
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
	sameRoleKeys := jc.sameRoleKeys(r)
	sameAll := sameRoleKeys && jc.name == r.Name && p.From == r.HA && jc.uid == r.FUID &&
		jc.main == r.Main && jc.kind == r.Kind
	if !sameAll && !c.cfg.Mutable {
		c.stat("join_immutable_change")
		j.nackKind(raet.PcktReject)
		return
	}
	status := c.statusRole(jc.role, jc.verhex, jc.pubhex)
	if status == raet.Rejected {
		if sameRoleKeys {
			c.removeRemote(r, true) // which nacks this join too
		} else {
			j.nackKind(raet.PcktReject)
		}
		return
	}
	r.Acceptance = &status
	if !sameAll {
		if other, taken := c.byName[jc.name]; taken && other != r {
			j.nackKind(raet.PcktReject)
			return
		}
		if jc.name != r.Name {
			c.renameRemote(r, jc.name)
		}
		r.HA, r.FUID = p.From, jc.uid
		jc.adopt(r)
		c.verifiersChanged = true
	}
	if status == raet.Accepted {
		j.complete()
		return
	}
	c.dumpRemote(r)
	j.send(raet.PcktPend, nil)
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
	j.send(raet.PcktAck, nil)
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
		j.refuse()
		return
	}
	c.stat("join_renew_attempt")
	j.remove()
	r.FUID = 0
	c.dumpRemote(r)
	c.join(r, true, j.cascade)
}

// refuse ends the join leaving the remote as it was.
func (j *joiner) refuse() {
	j.c.stat("joiner_transaction_failure")
	j.remove()
}

func (j *joiner) nack() { j.nackKind(raet.PcktNack) }

// nackKind ends the join telling the joinent why.
func (j *joiner) nackKind(pk raet.PcktKind) {
	j.send(pk, nil)
	j.c.stat("joiner_transaction_failure")
	j.remove()
}

// joinent is the side that answers a join (Joinent).
type joinent struct {
	txBase
	head     wire.Head      // the reply: the request's ids mirrored, cf set
	idx      txIndex        // the index of the request
	from     netip.AddrPort // where the request came from: nacks go there
	vacuous  bool
	pended   bool
	pendRedo time.Duration
	heard    time.Time // when the joiner last sent its request
}

// replyJoin answers a join request with a joinent (RoadStack.replyJoin).
func replyJoin(c *core, now time.Time, p *wire.Packet, r *Remote) {
	t := c.cfg.Timers
	e := &joinent{pendRedo: t.PendRedo, idx: rxIndex(p), from: p.From, heard: now}
	e.txBase = newTxBase(c, r, raet.TrnsJoin, true, p.SI, p.TI, timeout(t.JoinentTimeout), t.JoinentRedoMin, t.JoinentRedoMax)
	e.redo.wait = 0 // the reference starts the joinent's redo timer at 0
	e.head = wire.Head{HK: c.cfg.HeadKind, BK: c.cfg.BodyKind, TK: raet.TrnsJoin, SE: p.DE, DE: p.SE,
		CF: true, SI: p.SI, TI: p.TI}
	e.join(p)
}

// send packs a reply and transmits it to the remote, to be sent again if
// nothing answers.
func (e *joinent) send(pk raet.PcktKind, v any) bool {
	h := e.head
	h.PK = pk
	return e.txBase.send(h, v, e.remove)
}

func (e *joinent) remove() {
	delete(e.r.transactions, e.idx)
	e.c.dropJoinee(e.r)
}

func (e *joinent) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktRequest:
		e.c.stat("joinent_rx_request")
		e.heard = now
		e.join(p)
	case raet.PcktPend:
		e.c.stat("joinent_rx_pend")
		e.pended = true
	case raet.PcktAck:
		e.c.stat("joinent_rx_ack")
		e.complete()
	case raet.PcktNack, raet.PcktRefuse:
		e.c.stat("joinent_rx_" + p.PK.String())
		e.refuse()
	case raet.PcktReject:
		e.c.stat("joinent_rx_reject")
		e.refuse()
		e.c.removeRemote(e.r, true)
	}
}

func (e *joinent) process(now time.Time) {
	if e.timedOut(now) {
		e.c.stat("joinent_timeout")
		e.nack()
		return
	}
	if !e.redo.expired(now) {
		return
	}
	if e.silent(now) {
		return
	}
	e.redo.again(now, e.pended, e.pendRedo)
	if e.last != nil && e.last.PK == raet.PcktResponse {
		e.transmit(e.last)
		e.c.stat("joinent_tx_accept_redo")
		return
	}
	// The joiner's role is pending here: see whether an operator has
	// accepted or rejected it since.
	switch e.c.statusRemote(e.r) {
	case raet.Accepted:
		e.ackAccept()
	case raet.Rejected:
		e.c.removeRemote(e.r, true)
	}
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
	for _, t := range joinInProcess(e.r) {
		if t == transaction(e) { // the request again
			c.stat("duplicate_join_attempt")
			return
		}
		other, ours := t.(*joiner)
		if !ours { // already answering a join of this remote
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return
		}
		// Both sides started a join: the non-vacuous one wins, and between
		// equals the estate whose name sorts lower keeps its own.
		switch {
		case e.vacuous && !other.vacuous:
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return
		case !e.vacuous && other.vacuous:
			other.nackKind(raet.PcktRefuse)
		case c.name < jc.name:
			c.stat("redundant_join_attempt")
			e.nackKind(raet.PcktRefuse)
			return
		default:
			other.nackKind(raet.PcktRefuse)
		}
	}
	if e.vacuous {
		if !c.cfg.Main { // only a main estate takes joins from estates it does not know
			e.nackKind(raet.PcktReject)
			return
		}
		if known, ok := c.byName[jc.name]; ok {
			e.r = known
		} else { // the ephemeral remote takes what the joiner says
			if known, ok := c.remotes[e.r.UID]; ok && known == e.r {
				// Not ephemeral after all: our own vacuous join to the same
				// address made it. Rename it on the road, not just in place
				// (the reference leaves its name index stale here).
				c.renameRemote(e.r, jc.name)
			} else {
				e.r.Name = jc.name
			}
			jc.adopt(e.r)
			c.verifiersChanged = true
			if e.r.FUID != p.SE {
				if e.r.FUID != 0 {
					e.nackKind(raet.PcktReject)
					return
				}
				e.r.FUID = p.SE
			}
		}
	} else if c.remotes[p.DE] != e.r {
		e.nackKind(raet.PcktReject)
		return
	}
	r := e.r
	sameRoleKeys := jc.sameRoleKeys(r)
	sameAll := sameRoleKeys && jc.name == r.Name && p.From == r.HA && p.SE == r.FUID &&
		jc.main == r.Main && jc.kind == r.Kind
	if !sameAll && !c.cfg.Mutable {
		c.stat("join_immutable_change")
		e.nackKind(raet.PcktReject)
		return
	}
	status := c.statusRole(jc.role, jc.verhex, jc.pubhex)
	if status == raet.Rejected {
		if _, known := c.remotes[r.UID]; sameRoleKeys && known {
			c.removeRemote(r, true)
		} else {
			e.nackKind(raet.PcktReject)
		}
		return
	}
	r.Acceptance = &status
	if sameAll {
		if _, known := c.remotes[r.UID]; !known || r.UID == 0 {
			c.addRemote(r) // the ephemeral remote joins the road
		}
	} else {
		if other, taken := c.byName[jc.name]; taken && other != r {
			e.nackKind(raet.PcktReject)
			return
		}
		if jc.name != r.Name {
			c.renameRemote(r, jc.name)
		}
		r.HA, r.FUID = p.From, p.SE
		jc.adopt(r)
		c.verifiersChanged = true
	}
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
	c.dumpRemote(r)
	e.send(raet.PcktPend, nil)
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
	e.send(raet.PcktResponse, e.c.joinBody(e.r.UID))
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

func (e *joinent) refuse() {
	e.c.stat("joinent_transaction_failure")
	e.remove()
}

func (e *joinent) nack() { e.nackKind(raet.PcktNack) }

// nackKind ends the join, answering where the request came from: the
// remote may not be settled yet.
func (e *joinent) nackKind(pk raet.PcktKind) {
	h := e.head
	h.PK = pk
	e.c.send(&h, e.from)
	e.c.stat("joinent_transaction_failure")
	e.remove()
}

func init() {
	correspondentStarters[[2]uint8{uint8(raet.TrnsJoin), uint8(raet.PcktRequest)}] = replyJoin
}

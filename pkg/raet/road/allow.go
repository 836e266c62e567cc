package road

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Allow is the CurveCP-style handshake that starts a session between two
// joined estates (raet-protocol.md 5.2): each side makes a fresh short-term
// key, proves with its long-term key that the short-term one is its own, and
// from then on message coats are sealed with the short-term keys. Packets
// are signed; their bodies are raw bytes in the fixed layouts of raeting.py.

// helloPlain is the plaintext a hello proves it can seal: the hex of 32
// zero bytes.
var helloPlain = bytes.Repeat([]byte{'0'}, 64)

// longBox is the box of our long-term key and the remote's, needed by
// every handshake; made once per remote.
func (c *core) longBox(r *Remote) (*raet.Box, error) {
	if r.longBox == nil {
		if r.pubber == nil {
			return nil, raet.Errorf(raet.CodeKey, "no long-term key for %q: not joined", r.Name)
		}
		b, err := raet.NewBox(c.priver, r.pubber)
		if err != nil {
			return nil, err
		}
		r.longBox = b
	}
	return r.longBox, nil
}

// allowInProcess returns the allow transactions running with a remote.
func allowInProcess(r *Remote) []transaction { return inProcess(r, raet.TrnsAllow) }

// allowSide is what the allower and the allowent share: the head of their
// packets, and what ends an allow.
type allowSide struct{ txBase }

// headOf is the head of allow packets: raw bodies, signed, not coated.
func (s *allowSide) headOf(pk raet.PcktKind) wire.Head {
	h := s.head(pk, raet.CoatNada, raet.FootNacl)
	h.BK = raet.BodyRaw
	return h
}

func (s *allowSide) remove() {
	delete(s.r.transactions, s.index())
	s.c.settleSaved(s.r)
}

// ended takes the packets either side of an allow may receive that end it,
// and reports whether p was one.
func (s *allowSide) ended(p *wire.Packet) bool {
	switch p.PK {
	case raet.PcktNack, raet.PcktRefuse:
		s.fail()
	case raet.PcktReject:
		s.r.Allowed = No
		s.fail()
	default:
		return false
	}
	return true
}

// allower is the side that starts an allow (Allower).
type allower struct {
	allowSide
	cascade bool
	oreo    []byte // the cookie the allowent gave us, returned in initiate
}

// allow starts an allow with a remote (RoadStack.allow and Allower.hello).
// An estate not yet joined is joined first, and allowed after.
func (c *core) allow(r *Remote, cascade bool) {
	defer c.rewake(r)
	if len(joinInProcess(r)) > 0 {
		c.stat("invalid_allow_attempt")
		return
	}
	if len(allowInProcess(r)) > 0 {
		c.stat("allow_already_in_process")
		return
	}
	r.Allowed = Unknown
	if r.Joined != Yes {
		c.stat("unjoined_remote")
		c.join(r, false, true)
		return
	}
	t := c.cfg.Timers
	a := &allower{cascade: cascade}
	// Hellos spread as joins do: allowers a main left unanswered together
	// (MaxAllowing, allowlimit.go) do not repeat together.
	lo, hi := c.jittered(t.AllowRedoMin, t.AllowRedoMax)
	a.txBase = newTxBase(c, r, raet.TrnsAllow, false, r.SID, r.nextTID(), timeout(t.AllowTimeout), lo, hi)
	a.self = a
	if err := r.rekey(); err != nil {
		c.stat("allow_key_error")
		return
	}
	lb, err := raet.NewBox(r.privee, r.pubber)
	if err != nil {
		c.stat("allow_key_error")
		return
	}
	sealed, err := lb.Seal(nil, helloPlain) // cipher (80) || nonce (24)
	if err != nil {
		c.stat("allow_key_error")
		return
	}
	hello := make([]byte, 0, raet.HelloSize)
	hello = append(append(append(hello, helloPlain...), r.privee.PubKey()...), sealed...)
	r.transactions[a.index()] = a
	a.sendKind(raet.PcktHello, hello)
}

func (a *allower) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktCookie:
		a.cookie(p)
	case raet.PcktAck:
		// Only an initiate is acked. The reference takes an ack at any
		// time, so an ack left over from an earlier session that shares
		// this one's ids allowed it with no short-term key of the other side.
		if a.oreo == nil {
			a.c.stat("allower_ack_before_initiate")
			return
		}
		a.allowed()
	case raet.PcktUnjoined:
		a.r.Joined = No
		a.fail()
		a.c.join(a.r, false, a.cascade)
	default:
		a.ended(p)
	}
}

func (a *allower) process(now time.Time) {
	if a.gaveUp(now) {
		a.remove()
		return
	}
	a.redoLast(now, "")
}

// cookie takes the allowent's cookie: its short-term key and the oreo, sealed
// with its long-term key to our short-term one.
func (a *allower) cookie(p *wire.Packet) {
	r := a.r
	plain, _ := p.Plain(nil)
	if len(plain) != raet.CookieSize {
		a.reject("invalid_cookie")
		return
	}
	box, err := raet.NewBox(r.privee, r.pubber)
	if err != nil {
		a.reject("invalid_cookie")
		return
	}
	stuff, err := box.Open(nil, plain)
	if err != nil || len(stuff) != raet.CookieStuffSize {
		a.reject("invalid_cookie")
		return
	}
	short, seid, deid, oreo := stuff[:32], binary.BigEndian.Uint32(stuff[32:36]), binary.BigEndian.Uint32(stuff[36:40]), stuff[40:]
	if seid != r.FUID || deid != r.UID {
		a.reject("invalid_cookie")
		return
	}
	if r.publee, err = raet.NewPublican(short); err != nil {
		a.reject("invalid_cookie")
		return
	}
	r.box = nil
	a.oreo = append([]byte(nil), oreo...)
	a.initiate()
}

// initiate proves our short-term key is ours: it vouches for it with our
// long-term key, inside a box of the two short-term keys.
func (a *allower) initiate() {
	c, r := a.c, a.r
	lb, err := c.longBox(r)
	if err != nil {
		a.reject("invalid_cookie")
		return
	}
	vouch, err := lb.Seal(nil, r.privee.PubKey()) // vcipher (48) || vnonce (24)
	if err != nil {
		a.reject("invalid_cookie")
		return
	}
	fqdn := []byte(r.FQDN)
	if len(fqdn) == 0 {
		fqdn = []byte(r.HA.Addr().String())
	}
	fqdn = append(fqdn, bytes.Repeat([]byte{' '}, 128)...)[:128]
	stuff := make([]byte, 0, raet.InitiateStuffSize)
	stuff = append(append(append(stuff, c.priver.PubKey()...), vouch...), fqdn...)
	sb, err := r.sessionBox()
	if err != nil {
		a.reject("invalid_cookie")
		return
	}
	sealed, err := sb.Seal(nil, stuff) // cipher (248) || nonce (24)
	if err != nil {
		a.reject("invalid_cookie")
		return
	}
	body := make([]byte, 0, raet.InitiateSize)
	body = append(append(append(body, r.privee.PubKey()...), a.oreo...), sealed...)
	a.sendKind(raet.PcktInitiate, body)
}

// allowed takes the allowent's ack: the session is up (Allower.allow and
// ackFinal).
func (a *allower) allowed() {
	c, r := a.c, a.r
	r.Allowed = Yes
	a.remove()
	a.sendKind(raet.PcktAck, nil)
	c.stat("allow_initiate_complete")
	c.emit(EventAllowed, r)
	c.setAlived(r, Yes) // allowed is alive at once, as the reference's
	r.nextSID()         // every allow starts a new session
	c.replaceStaleInitiators(r)
	c.dumpRemote(r)
	c.sendSaved(r)
	if a.cascade {
		c.alive(r, true)
	}
}

// allowent is the side that answers an allow (Allowent).
type allowent struct {
	allowSide
	oreo  []byte // the cookie we issued
	acked bool   // its initiate held and was acked
}

// replyAllow answers a hello (RoadStack.replyAllow and Allowent.hello).
func replyAllow(c *core, now time.Time, p *wire.Packet, r *Remote) {
	t := c.cfg.Timers
	e := &allowent{}
	e.txBase = newTxBase(c, r, raet.TrnsAllow, true, p.SI, p.TI, timeout(t.AllowTimeout), t.AllowRedoMin, t.AllowRedoMax)
	e.self = e
	e.expireByReceipt(c, p)
	e.hello(p)
}

// remove forgets the allowent, and counts it no more among the allows
// under way.
func (e *allowent) remove() {
	e.c.stopAllowing(e)
	e.allowSide.remove()
}

func (e *allowent) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktHello:
		e.hello(p)
	case raet.PcktInitiate:
		e.initiate(p)
	case raet.PcktAck:
		e.remove()
		e.c.stat("allow_correspond_complete")
		e.c.sendSaved(e.r)
	default:
		e.ended(p)
	}
}

func (e *allowent) process(now time.Time) {
	if e.gaveUp(now) {
		e.nackKind(raet.PcktRefuse)
		return
	}
	e.redoLast(now, "")
}

// hello checks the allower's hello and answers with a cookie.
func (e *allowent) hello(p *wire.Packet) {
	c, r := e.c, e.r
	if len(joinInProcess(r)) > 0 {
		// The reference sends refuse here and then goes on (its missing
		// return, spec section 10); we stop.
		c.stat("invalid_allow_attempt")
		e.nackKind(raet.PcktRefuse)
		return
	}
	for _, t := range allowInProcess(r) {
		if t == transaction(e) {
			c.stat("duplicate_allow_attempt")
			return
		}
		if old, theirs := t.(*allowent); theirs && e.supersedes(old) {
			old.remove()
			c.stat("allow_superseded")
			continue
		}
		other, ours := t.(*allower)
		if !ours || c.name < r.Name { // the lower name keeps its own allow
			c.stat("redundant_allow_attempt")
			e.nackKind(raet.PcktRefuse)
			return
		}
		other.nackKind(raet.PcktRefuse)
	}
	if r.Joined == Yes && !c.admitAllow(p) {
		return // unanswered: its repeats, or its next try, may find room
	}
	r.Allowed = Unknown
	if r.Joined != Yes {
		c.stat("unjoined_allow_attempt")
		e.nackKind(raet.PcktUnjoined)
		return
	}
	if w := c.takeHello(p); w != nil {
		e.helloWorked(w)
		return
	}
	if err := r.rekey(); err != nil {
		c.stat("allow_key_error")
		return
	}
	r.transactions[e.index()] = e
	c.startAllowing(e)
	plain, _ := p.Plain(nil)
	if len(plain) != raet.HelloSize {
		e.reject("invalid_hello")
		return
	}
	want, short, sealed := plain[:64], plain[64:96], plain[96:]
	var err error
	if r.publee, err = raet.NewPublican(short); err != nil {
		e.reject("invalid_hello")
		return
	}
	r.box = nil
	box, err := raet.NewBox(c.priver, r.publee)
	if err != nil {
		e.reject("invalid_hello")
		return
	}
	if got, err := box.Open(nil, sealed); err != nil || !bytes.Equal(got, want) {
		e.reject("invalid_hello")
		return
	}
	e.cookie(box)
}

// helloWorked answers a hello whose key work a worker did (allowprep.go):
// what hello does after its checks, with the worker's keys and boxes.
func (e *allowent) helloWorked(w *helloPrep) {
	c, r := e.c, e.r
	c.stat("allow_hello_worked")
	r.privee, r.publee, r.box = w.privee, w.publee, w.session
	r.transactions[e.index()] = e
	c.startAllowing(e)
	e.cookie(w.box)
}

// supersedes reports whether e, an allowent for a hello, replaces old, one
// of an earlier hello of the same session still waiting for its initiate:
// an allower runs one allow at a time, so its hello with a later
// transaction id says it has given up the earlier one, whose allowent
// would wait out its timeout for an initiate that will not come, and
// refuse the new hello meanwhile. A late copy of the earlier hello (an
// earlier id) replaces nothing, and neither does a hello after an
// initiate was acked (that allowent's session stands until it ends, as
// before: the allower lost the ack and its new hellos are refused).
func (e *allowent) supersedes(old *allowent) bool {
	return !old.acked && old.sid == e.sid && int32(e.tid-old.tid) > 0
}

// cookie sends our short-term key and an oreo, sealed with our long-term key
// to the allower's short-term one.
func (e *allowent) cookie(box *raet.Box) {
	r := e.r
	e.oreo = make([]byte, raet.NonceSize)
	if _, err := rand.Read(e.oreo); err != nil {
		e.reject("allow_key_error")
		return
	}
	stuff := make([]byte, 0, raet.CookieStuffSize)
	stuff = append(stuff, r.privee.PubKey()...)
	stuff = binary.BigEndian.AppendUint32(stuff, r.UID)
	stuff = binary.BigEndian.AppendUint32(stuff, r.FUID)
	stuff = append(stuff, e.oreo...)
	sealed, err := box.Seal(nil, stuff) // cipher (80) || nonce (24)
	if err != nil {
		e.reject("allow_key_error")
		return
	}
	e.sendKind(raet.PcktCookie, sealed)
}

// initiate checks the allower's vouch for its short-term key and, when it
// holds, acks and starts the session (Allowent.initiate, ackInitiate, allow).
func (e *allowent) initiate(p *wire.Packet) {
	c, r := e.c, e.r
	plain, _ := p.Plain(nil)
	if len(plain) != raet.InitiateSize || r.publee == nil || e.oreo == nil {
		e.reject("invalid_initiate")
		return
	}
	short, oreo, sealed := plain[:32], plain[32:56], plain[56:]
	if !bytes.Equal(short, r.publee.Key()) || !bytes.Equal(oreo, e.oreo) {
		e.reject("invalid_initiate")
		return
	}
	sb, err := r.sessionBox()
	if err != nil {
		e.reject("invalid_initiate")
		return
	}
	if w := c.takeInitiate(p, r, sb); w != nil {
		if !w.ok {
			e.reject("invalid_initiate")
			return
		}
		if r.longBox == nil {
			r.longBox = w.longBox // the same keys: ours and r.pubber
		}
		e.initiated()
		return
	}
	stuff, err := sb.Open(nil, sealed)
	if err != nil || len(stuff) != raet.InitiateStuffSize {
		e.reject("invalid_initiate")
		return
	}
	long, vouch := stuff[:32], stuff[32:104] // the fqdn after them is only informative
	if r.pubber == nil || !bytes.Equal(long, r.pubber.Key()) {
		e.reject("invalid_initiate")
		return
	}
	lb, err := c.longBox(r)
	if err != nil {
		e.reject("invalid_initiate")
		return
	}
	if got, err := lb.Open(nil, vouch); err != nil || !bytes.Equal(got, short) {
		e.reject("invalid_initiate")
		return
	}
	e.initiated()
}

// initiated acks an initiate whose vouch held and starts the session.
func (e *allowent) initiated() {
	c, r := e.c, e.r
	e.acked = true
	c.stopAllowing(e) // its work is done: it waits only for the last ack
	e.sendKind(raet.PcktAck, nil)
	r.Allowed = Yes
	c.emit(EventAllowed, r)
	c.setAlived(r, Yes)
	r.nextSID()
	c.replaceStaleInitiators(r)
	c.dumpRemote(r)
	c.sendSaved(r)
}

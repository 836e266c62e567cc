package road

import (
	"maps"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Acceptor decides whether a remote role with these long-term keys (hex)
// may join. An error rejects the join.
type Acceptor interface {
	StatusRole(role, verhex, pubhex string) (raet.Acceptance, error)
}

// core is the protocol state of one stack, owned by one goroutine (or, in
// simulations, by the test): estates, transactions and their timers. It
// reads the time from its clock and writes datagrams to its conn, and that
// is all it does outside itself.
type core struct {
	cfg    Config
	clock  clock.Clock
	conn   Conn
	uid    uint32
	puid   uint32 // the last uid handed out (estate ids count up from here)
	name   string
	role   string
	signer *raet.Signer
	priver *raet.Privateer

	remotes map[uint32]*Remote         // by nuid
	byName  map[string]*Remote         // by name
	joinees map[netip.AddrPort]*Remote // remotes of vacuous joins in progress, by address

	// correspondents start the transaction a remote begins with a packet of
	// the given transaction and packet kind; absent kinds are stale.
	correspondents map[[2]uint8]func(c *core, now time.Time, p *wire.Packet, r *Remote)

	received []Received // messages delivered, until the application takes them
	events   []Event    // changes of remotes, until the application takes them

	// verifiersChanged says the remotes' verify keys may have changed
	// since the workers' snapshot.
	verifiersChanged bool
	// changedKeys are the nuids whose verify keys may have changed since
	// the last publish (verifiers.go).
	changedKeys map[uint32]struct{}
	// deciding holds, by role, the remote of each join pended while the
	// acceptor decides it (deciding.go).
	deciding map[string]*Remote
	// allowing holds the allowents awaiting their initiate, bounded by
	// MaxAllowing; mostAllowing is the most there were at once
	// (allowlimit.go).
	allowing     map[*allowent]struct{}
	mostAllowing int
	helloFirsts  helloFirsts // when recent hellos were first read
	// verdict is the decision decided is delivering, for statusRole.
	verdict *Decision
	// jitter draws the joiners' stretch (JoinJitter); nil for none.
	jitter *rand.Rand
	// unjoinedSecond and unjoinedCount pace the answers to strangers.
	unjoinedSecond time.Time
	unjoinedCount  int
	// presenceTAT is the next free slot of the presence budget (budget.go).
	presenceTAT time.Time
	// joins limits new vacuous joins per source address.
	joins *joinLimiter

	wakes     wakeHeap    // each remote's next deadline
	doneQueue []doneEntry // done message ids to forget, earliest first

	stats map[string]uint64
	// resendAll makes a messengent list every segment it lacks, in as
	// many resend packets as it takes, as the reference's does; tests
	// set it to play the reference.
	resendAll bool
	// pathMTUs holds the largest unfragmented payload toward each
	// address asked so far (pathPayload).
	pathMTUs map[netip.Addr]int

	// keys is the snapshot of verify keys by nuid that check reads: the
	// workers of a running stack, or receive in a simulation.
	keys atomic.Pointer[verifiers]
	// hellos keeps the workers' key work of hellos for their repeats;
	// helloWork and initiateWork are that of the packet being
	// dispatched, workPacket (allowprep.go).
	hellos       *helloPreps
	seen         *verifiedSeen // datagrams the workers verified lately
	helloWork    *helloPrep
	initiateWork *initiateWork
	workPacket   *wire.Packet
	workAt       time.Time // when the socket received workPacket; zero when unknown
}

func newCore(cfg Config) *core {
	if cfg.Role == "" {
		cfg.Role = cfg.Name
	}
	if cfg.UID == 0 {
		cfg.UID = 1
	}
	if cfg.BodyKind == raet.BodyNada {
		cfg.BodyKind = raet.BodyJSON
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	cfg.Timers = cfg.Timers.withDefaults()
	cfg.rxLimitDefaults()
	switch {
	case cfg.BurstSize == 0:
		cfg.BurstSize = DefaultBurstSize
	case cfg.BurstSize < 0:
		cfg.BurstSize = 0 // unlimited, as the messenger reads 0
	}
	return &core{
		cfg: cfg, clock: cfg.Clock, conn: cfg.Conn,
		uid: cfg.UID, puid: cfg.UID, name: cfg.Name, role: cfg.Role,
		signer: cfg.Signer, priver: cfg.Privateer, hellos: newHelloPreps(), seen: newVerifiedSeen(cfg.Main),
		helloFirsts:    newRecent[helloKey, time.Time](helloFirstsKept),
		remotes:        map[uint32]*Remote{},
		byName:         map[string]*Remote{},
		joinees:        map[netip.AddrPort]*Remote{},
		correspondents: maps.Clone(correspondentStarters),
		stats:          map[string]uint64{},
		// The first publish stores a snapshot, empty or not, for check.
		verifiersChanged: true,
		joins:            newJoinLimiter(cfg.VacuousJoinBurst, cfg.VacuousJoinEvery),
		jitter:           newJitter(&cfg),
	}
}

func (c *core) stat(key string) { c.stats[key]++ }

// nextUID hands out the next estate id, skipping ids in use (nextUid and
// the loop of RemoteEstate's constructor).
func (c *core) nextUID() uint32 {
	for {
		c.puid = NextID(c.puid)
		if _, taken := c.remotes[c.puid]; !taken && c.puid != c.uid {
			return c.puid
		}
	}
}

// addRemote makes a remote known by its nuid and name, and starts its
// presence timers; a non-main stack's first period is offset so that two
// sides do not keep step.
func (c *core) addRemote(r *Remote) {
	if r.UID == 0 {
		r.UID = c.nextUID()
	}
	now, t := c.clock.Now(), c.cfg.Timers
	first := t.Period
	if !c.cfg.Main {
		first += t.Offset
	}
	r.presenceAt = now.Add(first)
	if t.Interim > 0 {
		r.reapAt = now.Add(t.Interim)
	}
	c.remotes[r.UID] = r
	if r.Name != "" {
		c.byName[r.Name] = r
	}
	c.keyChanged(r.UID)
	c.rewake(r)
}

// dispatch hands a verified packet to its transaction, answers it as stale,
// or starts a correspondent (raet-protocol.md 4.5).
func (c *core) dispatch(now time.Time, p *wire.Packet, from netip.AddrPort) {
	if p.BF {
		c.stat("broadcast_unsupported")
		return
	}
	var r *Remote
	var ok bool
	if p.TK == raet.TrnsJoin {
		r, ok = c.joinRemote(now, p, from)
	} else {
		r, ok = c.sessionRemote(p, from)
	}
	if !ok {
		return
	}
	if r != nil && p.CF && p.TK != raet.TrnsJoin && p.SI == r.SID && r.Allowed == Yes {
		r.answeredAt = now // it hears us (aliver.process)
	}
	if r != nil {
		if t := r.transactions[rxIndex(p)]; t != nil {
			t.receive(now, p)
			return
		}
	}
	if p.CF { // a reply to a transaction we do not have
		c.stale(p, from)
		return
	}
	if r == nil {
		c.stat("unknown_destination_uid")
		return
	}
	c.correspond(now, p, r, from)
}

// joinRemote finds the remote of a join packet, by uid or, while the join
// is vacuous, by address; a new vacuous request gets an ephemeral remote.
// It reports false when the packet is dropped or answered here.
func (c *core) joinRemote(now time.Time, p *wire.Packet, from netip.AddrPort) (*Remote, bool) {
	var r *Remote
	if p.SI != 0 {
		c.stat("join_invalid_sid")
		return nil, false
	}
	if p.CF { // we are the joiner: a reply from the joinent
		if p.DE == 0 {
			c.stat("join_invalid_nuid")
			return nil, false
		}
		if p.SE == 0 { // vacuous: the joinent does not know us by uid yet
			r = c.joinees[from]
			if r != nil && r.UID != p.DE {
				c.stat("join_mismatch_nuid")
				return nil, false
			}
		} else {
			r = c.remotes[p.DE]
		}
	} else { // we are the joinent: a packet from the joiner
		if p.SE == 0 {
			c.stat("join_invalid_fuid")
			return nil, false
		}
		if p.DE == 0 { // vacuous: the joiner does not know its uid here
			r = c.joinees[from]
			if r != nil && r.FUID != p.SE && r.FUID != 0 {
				delete(c.joinees, from) // a stale vacuous join from the same address
				r = nil
			}
			if r == nil {
				if p.PK != raet.PcktRequest {
					c.stat("join_stale")
					return nil, false
				}
				if !c.joins.allow(from, now) {
					c.stat("join_rate_limited")
					return nil, false
				}
				if !c.admitJoin() {
					return nil, false
				}
				// An ephemeral remote: the joinent adds it to the
				// remotes only if it accepts the join.
				r = newRemote(0, from)
				r.RSID = p.SI
			}
		} else if r = c.remotes[p.DE]; r == nil {
			// We lost the remote the joiner remembers (a lost keep):
			// tell it to join again vacuously.
			c.stat("stale_nuid")
			c.replyStale(p, from, true)
			return nil, false
		} else if p.PK == raet.PcktRequest && len(joinInProcess(r)) == 0 && !c.admitJoin() {
			return nil, false
		}
	}
	return r, true
}

// sessionRemote finds the remote of a packet of a joined session and checks
// its ids: a transaction the remote started in a newer session moves ours
// on, one in a stale session is answered stale. The remote is nil when no
// estate has the packet's uid. It reports false when the packet is dropped
// or answered here.
func (c *core) sessionRemote(p *wire.Packet, from netip.AddrPort) (*Remote, bool) {
	var r *Remote
	if p.SI == 0 {
		c.stat("invalid_sid")
		return nil, false
	}
	if p.DE == 0 || p.SE == 0 {
		c.stat("invalid_uid")
		return nil, false
	}
	if r = c.remotes[p.DE]; r != nil {
		if r.FUID != 0 && p.SE != r.FUID {
			// Signed by the remote's key but sent for an estate the
			// remote knows by another uid: one that held this address
			// before (a main still alives the estate a new one
			// replaced). Taken, it would move the session on and
			// refuse the current estate's traffic as stale.
			c.stat("mismatched_fuid")
			return nil, false
		}
		if !p.CF { // a transaction the remote started
			if !ValidSID(p.SI, r.RSID) {
				if p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage && c.answerDone(p, r, from) {
					return nil, false // a message of an old session, asked after
				}
				c.stat("stale_sid")
				c.replyStale(p, from, false)
				return nil, false
			}
			if p.SI != r.RSID {
				r.RSID = p.SI
				c.removeStaleCorrespondents(r)
			}
		}
		if r.Reaped {
			c.unreap(r)
		}
	}
	return r, true
}

// correspond starts the transaction a remote begins with this packet.
func (c *core) correspond(now time.Time, p *wire.Packet, r *Remote, from netip.AddrPort) {
	// A message that ended here, or is replayed, is not begun again.
	if p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage && !c.admitMessage(p, r, from) {
		return
	}
	start := c.correspondents[[2]uint8{uint8(p.TK), uint8(p.PK)}]
	if start == nil {
		c.stat("stale_packet")
		return
	}
	start(c, now, p, r)
}

// nackKinds are the packet kinds that end a transaction; a stale one is
// never answered, or two stacks would nack each other forever.
func nackKind(pk raet.PcktKind, renewToo bool) bool {
	switch pk {
	case raet.PcktNack, raet.PcktUnjoined, raet.PcktUnallowed, raet.PcktRefuse, raet.PcktReject:
		return true
	case raet.PcktRenew:
		return renewToo
	}
	return false
}

// stale nacks a reply that matches no transaction of ours (Staler): the
// remote's correspondent should stop.
func (c *core) stale(p *wire.Packet, from netip.AddrPort) {
	if nackKind(p.PK, true) {
		return
	}
	if p.TK == raet.TrnsAlive && p.PK == raet.PcktAck {
		// An alivent answers at once and keeps nothing a nack could end:
		// the late acks of an alive's repeats (one per copy the remote
		// read) were each nacked, a signature here and a verification
		// there for nothing, hundreds of thousands in a 10,000-minion storm.
		c.stat("stale_alive_ack")
		c.staleAliveAck(p)
		return
	}
	if p.TK == raet.TrnsMessage && p.PK == raet.PcktDone {
		// A messengent says done as it ends (or, ended, answers a copy
		// of the message done again): it keeps nothing a nack could end.
		// A main whose publish went again before the first done came
		// gets a second one; each was nacked, a third of the returns of
		// back-to-back jobs to 1,000 emulated minions.
		c.stat("stale_message_done")
		return
	}
	r := c.remotes[p.DE]
	if r == nil {
		c.stat("invalid_remote_eid")
		return
	}
	c.stat("stale_correspondent_attempt")
	h := c.staleHead(p)
	h.SE, h.DE, h.CF = r.UID, p.SE, false
	if c.send(&h, from) {
		c.stat("stale_correspondent_nack")
	}
}

// staleAliveAck takes a late ack of one of our alives (an answer to a
// repeat of one already answered, or to one given up) as what it is, a
// verified packet of the session: proof that the remote is alive, and that
// its answers come late (meter.late, which stretches its next alive's
// timeout). Under load the answers come late (the peer's socket seconds
// deep in a storm); dropped, they left the remote found dead, and a minion
// that loses its master joins it again, the costliest thing it can ask of
// a busy one. The ack of the last alive given up is counted once.
func (c *core) staleAliveAck(p *wire.Packet) {
	r := c.remotes[p.DE]
	if r == nil || r.Joined != Yes || r.Allowed != Yes || p.SI != r.SID || r.FUID != p.SE {
		return
	}
	if r.aliveGaveUp != 0 && p.TI == r.aliveGaveUp {
		r.aliveGaveUp = 0
		c.stat("late_alive_ack")
	}
	r.meter.late = true
	c.refresh(r, Yes)
}

// replyStale answers a packet of a transaction the remote started in a
// session we consider stale (Stalent): nack, or renew when the joiner should
// join again vacuously.
func (c *core) replyStale(p *wire.Packet, from netip.AddrPort, renew bool) {
	if nackKind(p.PK, false) {
		return
	}
	c.stat("stale_initiator_attempt")
	h := c.staleHead(p)
	h.SE, h.DE, h.CF = p.DE, p.SE, true
	if renew {
		h.PK = raet.PcktRenew
	}
	if c.send(&h, from) {
		c.stat("stale_initiator_nack")
	}
}

// staleHead is the head of a stale reply: the stale packet's transaction,
// coat and foot kinds, an empty body.
func (c *core) staleHead(p *wire.Packet) wire.Head {
	return wire.Head{HK: c.cfg.HeadKind, BK: c.cfg.BodyKind, PK: raet.PcktNack,
		TK: p.TK, SI: p.SI, TI: p.TI, CK: p.CK, FK: p.FK}
}

// send packs a packet with an empty body and writes it to an address.
func (c *core) send(h *wire.Head, to netip.AddrPort) bool {
	pkt, err := wire.PackLater(h, nil, nil, c.signer)
	if err != nil {
		c.stat("packing_error")
		return false
	}
	return c.write(pkt, to)
}

// laterWriter is a connection that signs what it is given before writing
// it: the stack's writers, which sign beside the loop.
type laterWriter interface {
	writeLater(f *wire.Footing, to netip.AddrPort) error
}

// write sends a packet. The stack's connection signs it on its writers;
// any other signs it here, as the deterministic simulations need.
func (c *core) write(p *wire.Packet, to netip.AddrPort) bool {
	var err error
	if lw, ok := c.conn.(laterWriter); ok && p.Later() != nil {
		err = lw.writeLater(p.Later(), to)
	} else {
		err = c.conn.WriteTo(p.Datagram(), to)
	}
	if err != nil {
		c.stat("transmit_error")
		return false
	}
	return true
}

// writeFoot sends again a datagram packed to be signed on its first
// send: signed by then, or by whoever sends it first.
func (c *core) writeFoot(f *wire.Footing, to netip.AddrPort) bool {
	var err error
	if lw, ok := c.conn.(laterWriter); ok {
		err = lw.writeLater(f, to)
	} else {
		err = c.conn.WriteTo(f.Sign(), to)
	}
	if err != nil {
		c.stat("transmit_error")
		return false
	}
	return true
}

// unreap marks a reaped remote alive again: a valid packet came from it.
// Only main stacks reap.
func (c *core) unreap(r *Remote) {
	if c.cfg.Main {
		r.Reaped = false
		c.stat("remote_unreap")
	}
}

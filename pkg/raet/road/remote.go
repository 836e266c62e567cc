package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Tri is a status that may not be known yet: the reference's True, False
// and None for joined, allowed and alived.
type Tri int8

const (
	Unknown Tri = iota
	No
	Yes
)

func (t Tri) String() string {
	switch t {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}

// Remote is this stack's view of another estate on the road (RemoteEstate).
// It belongs to the stack's loop: nothing outside the loop touches it.
type Remote struct {
	Name string
	Role string // keys and acceptance belong to the role; several estates may share one
	UID  uint32 // nuid: the id this stack gave the remote, the key of its remotes
	FUID uint32 // fuid: the id the remote gave this stack; 0 while unknown (a vacuous join)
	HA   netip.AddrPort
	FQDN string
	Main bool  // the remote is a main estate (accepts vacuous joins)
	Kind uint8 // application kind, 0..255

	Joined, Allowed, Alived Tri
	Reaped                  bool
	Acceptance              *raet.Acceptance // nil: the role was never seen

	SID  uint32 // our session toward the remote, in transactions we start
	RSID uint32 // the last session the remote used in transactions it started
	TID  uint32 // the last transaction id we took

	verfer  *raet.Verifier  // the remote's long-term verify key, from join
	pubber  *raet.Publican  // the remote's long-term public key, from join
	privee  *raet.Privateer // our short-term key for this remote, per allow
	publee  *raet.Publican  // the remote's short-term key, per allow
	box     *raet.Box       // privee with publee, made once per session
	longBox *raet.Box       // our long-term key with pubber, for handshakes

	presenceAt time.Time // when presence management next sends an alive
	following  bool      // presenceAt waits on the peer's alives (presence.go)
	budgetSlot bool      // presenceAt is a slot of the presence budget (budget.go)
	answeredAt time.Time // when it last answered a transaction of ours, in this session
	// aliveGaveUp is the transaction id of the last alive that went
	// unanswered in its time (0: none since): its late ack still proves
	// the remote alive, counted once (core.go, staleAliveAck).
	aliveGaveUp uint32
	reapAt      time.Time // when a silent remote is reaped
	wakeAt      time.Time // the time of its live entry in the core's wake heap

	transactions map[txIndex]transaction
	// done remembers what became of the messages the remote started, and
	// replay which of its current session's transaction ids began one (see
	// replay.go): a late duplicate or a replay is never delivered twice.
	done   map[doneKey]doneRecord
	replay *replayWindow
	// lastDone is the done last sent for one of its messages: a copy of
	// that message (its sender's redo ran out before the done came) is
	// answered with the same datagram, signed once (answerDone).
	lastDone sentDone
	// saved holds messages whose session went stale before delivery, to be
	// sent again in the next session.
	saved []savedMessage
	// rx is what its incoming messages not yet complete hold here.
	rx rxUsage
	// meter is its traffic figures, for metrics (meter.go).
	meter meter
	// maxPacket is the largest datagram the remote said in its last join
	// that it reads; 0 when it said nothing, as the reference never does.
	maxPacket int
}

func newRemote(uid uint32, ha netip.AddrPort) *Remote {
	return &Remote{UID: uid, HA: ha, transactions: map[txIndex]transaction{}, done: map[doneKey]doneRecord{}}
}

// NUID is the remote's near uid, the id this stack gave it.
func (r *Remote) NUID() uint32 { return r.UID }

// nextSID starts a new session toward the remote.
func (r *Remote) nextSID() uint32 {
	r.SID = NextID(r.SID)
	return r.SID
}

// nextTID takes the next transaction id toward the remote.
func (r *Remote) nextTID() uint32 {
	r.TID = NextID(r.TID)
	return r.TID
}

// rekey starts a new session's keys (RemoteEstate.rekey): a fresh
// short-term key of ours, none of the remote's yet, and so no box.
func (r *Remote) rekey() error {
	priv, err := raet.GeneratePrivateer()
	if err != nil {
		return err
	}
	r.privee, r.publee, r.box = priv, nil, nil
	r.Allowed = Unknown
	return nil
}

// removeStaleCorrespondents nacks and forgets the transactions the remote
// started in a session older than its current one. What became of its
// messages is kept: a sender asks in the old session whether one whose
// done it missed was delivered.
func (c *core) removeStaleCorrespondents(r *Remote) {
	for _, idx := range r.inOrder() {
		t, ok := r.transactions[idx]
		if ok && idx.rf && !ValidSID(idx.si, r.RSID) {
			t.nack()
			delete(r.transactions, idx)
			c.stat("stale_correspondent")
		}
	}
}

// forgetCorrespondents drops what a remote that joined vacuously started
// before: it has lost its ids, and with them those transactions. Its new
// session may count its sessions and transactions from where the old one
// did, so an old allowent would take the new hello for a repeat of the old
// one. They go without a nack, which the new session could take as its own.
func (c *core) forgetCorrespondents(r *Remote) {
	for idx, t := range r.transactions {
		if idx.rf && t.kind() != raet.TrnsJoin {
			if e, ok := t.(*messengent); ok {
				e.release()
			}
			delete(r.transactions, idx)
			c.stat("forgotten_correspondent")
		}
	}
	r.forgetDone()
}

// replaceStaleInitiators nacks and forgets the transactions this stack
// started in a session older than the current one. A message goes on in
// its old session: the remote may have delivered it already, its done
// lost, and sending it again in the new one would deliver it twice. The
// remote answers it done or nack, and only a refused one goes again.
func (c *core) replaceStaleInitiators(r *Remote) {
	for _, idx := range r.inOrder() {
		t, ok := r.transactions[idx]
		if ok && !idx.rf && !ValidSID(idx.si, r.SID) {
			if _, ok := t.(*messenger); ok {
				continue
			}
			t.nack()
			delete(r.transactions, idx)
			c.stat("stale_initiator")
		}
	}
}

// displaceAt stops presence management of the other remotes a main holds at
// the address a remote has just joined from: one UDP address is one estate,
// so an estate known there before has gone (a host reinstalled, a container
// renewed, a port NAT gave again). Its alives would only reach the new
// estate, which drops them. It is reaped, not removed: its keys and keep
// stay, and any valid packet from it, from wherever, unreaps it.
func (c *core) displaceAt(r *Remote) {
	if !c.cfg.Main {
		return
	}
	for _, o := range c.remotes {
		if o != r && o.HA == r.HA && !o.Reaped {
			// Not alive either, or its alive in flight timing out
			// would take it for a remote that was alive and unreap it.
			c.setAlived(o, No)
			o.Reaped = true
			c.stat("remote_displaced")
			c.emit(EventReaped, o)
		}
	}
}

package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Alive is the keep-alive of an allowed session (raet-protocol.md 5.3): a
// signed request with an empty body, a signed ack. Presence management
// sends one to every remote each period, and through the cascade joins and
// allows again whatever has fallen apart.

// refresh restarts a remote's presence timer and, unless alived is Unknown,
// records whether it is alive (RemoteEstate.refresh): a remote alive before
// or after also restarts its reap timer, and is no longer reaped.
// A follower's later time stands (presence.go).
func (c *core) refresh(r *Remote, alived Tri) {
	now := c.clock.Now()
	if at := now.Add(c.cfg.Timers.Period); !r.following || at.After(r.presenceAt) {
		r.presenceAt, r.following, r.budgetSlot = at, false, false
	}
	if alived == Unknown {
		return
	}
	if r.Alived == Yes || alived == Yes {
		r.reapAt = now.Add(c.cfg.Timers.Interim)
		if r.Reaped {
			c.unreap(r)
		}
	}
	c.setAlived(r, alived)
}

// setAlived records whether a remote is alive, with an event when that
// changes.
func (c *core) setAlived(r *Remote, alived Tri) {
	switch {
	case alived == Yes && r.Alived != Yes:
		c.emit(EventAlived, r)
	case alived == No && r.Alived == Yes:
		c.emit(EventLost, r)
	}
	r.Alived = alived
}

// aliver is the side that asks (Aliver).
type aliver struct {
	txBase
	cascade bool
	sentAt  time.Time // when the request first went
	redone  bool      // it went again: its answer gives no round trip (Karn)
}

// alive asks a remote whether it is there (RoadStack.alive and
// Aliver.alive). An estate not joined is joined first, one not allowed is
// allowed first; with cascade, each step starts the next.
func (c *core) alive(r *Remote, cascade bool) {
	c.aliveWithin(r, cascade, timeout(c.cfg.Timers.AliverTimeout))
}

// aliveWithin is alive with the aliver's timeout given.
func (c *core) aliveWithin(r *Remote, cascade bool, within time.Duration) {
	defer c.rewake(r)
	if c.cfg.Main && c.cfg.AwaitJoiners && (r.Joined != Yes || r.Allowed != Yes) {
		c.stat("presence_awaits_joiner")
		return
	}
	if r.Joined != Yes {
		c.stat("unjoined_remote")
		c.join(r, false, cascade)
		return
	}
	if r.Allowed != Yes {
		c.stat("unallowed_remote")
		c.allow(r, cascade)
		return
	}
	t := c.cfg.Timers
	slow := within > 0 && r.meter.late
	if slow {
		// Its answers came after our alives gave up, or after their
		// repeats: the path (or this side's own queue, in a storm) is
		// slower than the timeout, so one more period would find it dead
		// and the late answer alive again, each a Salt presence event.
		// Twice the timeout, until an answer comes in time.
		within *= 2
		c.stat("aliver_timeout_stretched")
	}
	a := &aliver{cascade: cascade}
	a.txBase = newTxBase(c, r, raet.TrnsAlive, false, r.SID, r.nextTID(), within, t.AliverRedoMin, t.AliverRedoMax)
	a.redo.wait = c.aliveFirstWait(r, within)
	if slow {
		// One repeat, half-way: the answer is late, not lost, and
		// each repeat would be answered again.
		a.redo.wait, a.redo.max = within/2, within/2
	}
	a.self = a
	a.sentAt = c.clock.Now()
	c.refresh(r, Unknown)
	r.transactions[a.index()] = a
	a.sendKind(raet.PcktRequest, nil)
}

// aliveFirstWait is how long an alive waits for its answer before it goes
// again: the remote's retransmission timeout (meter.rto), within the
// configured redo bounds, and at most half the aliver's timeout so that a
// lost packet is still sent again once before the remote is found dead.
// On a fast path this is the configured minimum, as before; on a slow or
// loaded one (a main answering thousands, its answers queued behind a
// storm) the alive is not repeated while its answer is still on its way:
// each repeat costs a signature here and a verification and a signature
// there, and makes the queue it waits behind longer.
func (c *core) aliveFirstWait(r *Remote, within time.Duration) time.Duration {
	t := c.cfg.Timers
	w := min(max(r.meter.rto(), t.AliverRedoMin), t.AliverRedoMax)
	if within > 0 && w > within/2 {
		w = max(within/2, t.AliverRedoMin)
	}
	return w
}

// aliveHead is the head of alive packets: the stack's body kind, signed,
// in a nacl coat (empty bodies, so no coat on the wire).
func aliveHead(b *txBase, pk raet.PcktKind) wire.Head {
	return b.head(pk, raet.CoatNacl, raet.FootNacl)
}

func (a *aliver) headOf(pk raet.PcktKind) wire.Head { return aliveHead(&a.txBase, pk) }

func (a *aliver) remove() { delete(a.r.transactions, a.index()) }

func (a *aliver) receive(now time.Time, p *wire.Packet) {
	c, r := a.c, a.r
	switch p.PK {
	case raet.PcktAck:
		a.roundTrip(now)
		c.refresh(r, Yes)
		a.remove()
		c.stat("alive_complete")
	case raet.PcktNack, raet.PcktRefuse:
		c.refresh(r, Unknown)
		a.fail()
	case raet.PcktReject:
		c.refresh(r, No)
		a.fail()
	case raet.PcktUnjoined:
		c.refresh(r, Unknown)
		r.Joined = No
		a.fail()
		c.join(r, false, a.cascade)
	case raet.PcktUnallowed:
		c.refresh(r, Unknown)
		r.Allowed = No
		a.fail()
		c.allow(r, a.cascade)
	}
}

func (a *aliver) process(now time.Time) {
	if a.gaveUp(now) {
		a.remove()
		a.r.aliveGaveUp = a.tid
		a.r.meter.backedOff = max(a.r.meter.backedOff, a.redo.wait)
		if a.r.answeredAt.After(a.sentAt) {
			// No answer, but the remote answered something of ours
			// meanwhile (a late ack of an earlier alive, a message's):
			// it hears us and its answers are late, not gone. Found
			// dead, a main would say it lost it and a minion would join
			// its master again, which costs far more than the alive. A
			// remote that only sends (deaf, or a one-way path) proves
			// nothing here.
			a.c.stat("aliver_timeout_heard")
			a.c.refresh(a.r, Unknown)
			return
		}
		a.c.refresh(a.r, No) // no answer: the remote is dead
		return
	}
	if a.redo.expired(now) {
		a.redone = true
	}
	a.redoLast(now, "redo_alive")
}

// roundTrip samples the time since the request first went, unless it went
// more than once: an answer to a repeated packet may answer any of its
// copies (Karn's rule), so it says nothing of the round trip; the wait the
// repeats backed off to is kept instead, for the next alive's first wait.
func (a *aliver) roundTrip(now time.Time) {
	if a.redone {
		a.r.meter.backedOff = max(a.r.meter.backedOff, a.redo.wait)
		return
	}
	a.r.meter.roundTrip(now.Sub(a.sentAt))
}

// alivent is the side that answers (Alivent): at once, so it keeps no
// timers of its own.
type alivent struct{ txBase }

// replyAlive answers an alive request (RoadStack.replyAlive, Alivent.alive).
func replyAlive(c *core, now time.Time, p *wire.Packet, r *Remote) {
	e := &alivent{}
	e.txBase = newTxBase(c, r, raet.TrnsAlive, true, p.SI, p.TI, 0, 0, 0)
	// An alive of a session this side does not hold leaves the presence
	// timer alone: the remote may not be able to read the nack (a side
	// that joins again vacuously answers without the uid it was given),
	// and its alives, every period or faster, would otherwise put off for
	// good the join or allow this side's presence starts.
	switch {
	case r.Joined != Yes:
		c.stat("unjoined_alive_attempt")
		e.nackKind(raet.PcktUnjoined)
	case r.Allowed != Yes:
		c.stat("unallowed_alive_attempt")
		e.nackKind(raet.PcktUnallowed)
	default:
		e.nackKind(raet.PcktAck)
		c.answered(r)
		c.stat("alive_complete")
	}
}

// nackKind sends the one reply an alivent makes.
func (e *alivent) nackKind(pk raet.PcktKind) {
	h := aliveHead(&e.txBase, pk)
	e.c.send(&h, e.r.HA)
	if pk != raet.PcktAck {
		e.c.stat("alivent_transaction_failure")
	}
}

func (e *alivent) receive(time.Time, *wire.Packet) {}
func (e *alivent) process(time.Time)               {}
func (e *alivent) nack()                           { e.nackKind(raet.PcktNack) }

// manageRemote is presence management for one remote (RoadStack.manage and
// RemoteEstate.manage): a remote not reaped whose presence timer ran out is
// sent an alive, and
// one silent for the reap interim is reaped (by a main stack only). The
// reference leaves the presence timer expired and relies on being called
// at the application's pace; this stack restarts it, so an estate that
// cannot be reached is tried once a period, not in a tight loop.
func (c *core) manageRemote(r *Remote, now time.Time) {
	t := c.cfg.Timers
	if r.Reaped {
		return
	}
	if !r.presenceAt.IsZero() && !now.Before(r.presenceAt) && c.presenceSlot(r, now) {
		within := c.aliverTimeout(r)
		r.presenceAt, r.following = now.Add(t.Period), false
		c.aliveWithin(r, c.cfg.ManageCascade, within)
	}
	if t.Interim > 0 && !r.reapAt.IsZero() && !now.Before(r.reapAt) {
		r.reapAt = time.Time{}
		if c.cfg.Main {
			r.Reaped = true
			c.stat("remote_reap")
			c.emit(EventReaped, r)
		}
	}
}

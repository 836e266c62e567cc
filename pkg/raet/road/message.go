package road

import (
	"errors"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// Message carries one body, in one packet or a tray of segments, signed and
// sealed with the session's box (raet-protocol.md 5.4). The messenger sends
// bursts, the last packet of each asking for an answer (wf); the messengent
// answers ack (send more), resend (these segments are missing) or done.

// Why a message was not delivered.
var (
	ErrNotAllowed    = errors.New("raet: message not sent: no session with the remote (not allowed)")
	ErrNacked        = errors.New("raet: message refused by the remote")
	ErrTimedOut      = errors.New("raet: message not acknowledged in time")
	ErrUnknownRemote = errors.New("raet: no such remote")
)

// doneMemory is how long a completed message's transaction id is
// remembered, so a late duplicate is answered as stale, not delivered again.
const doneMemory = 600 * time.Second

// Received is a message delivered by a remote, with the name of the estate
// whose signature it carried.
type Received struct {
	Body body.Map
	From string
	UID  uint32
}

// report tells the sender of a message its outcome: nil once the remote said
// done. It is called once.
type report func(error)

// messenger sends one message (Messenger).
type messenger struct {
	txBase
	packets []*wire.Packet
	current int   // the next packet of the tray to send
	misseds []int // segments the messengent asked for, in order, once each
	highest int   // the highest segment the messengent said it has (ack)
	held    known // the segments the messengent is known to hold (pace.go)
	acked   bool  // the messengent has answered at least once
	burst   int
	win     window // how many segments go in a burst (window.go)
	// sentAt is when each packet was last sent, and rtt the round trip
	// from a packet that waits (wf) to its answer. A packet asked for
	// again while a copy is still on its way is not sent twice: the
	// reference sends it at each asking, and every resend list or late ack
	// crossing in flight multiplies the traffic (a 2 MB message on a link
	// losing 10% cost 34 times its segments).
	sentAt  []time.Time
	rtt     rtt
	body    body.Map
	timeout time.Duration
	report  report
}

// message sends a body to a remote (RoadStack.message, Messenger.message).
func (c *core) message(r *Remote, m body.Map, timeout time.Duration, rep report) {
	defer c.rewake(r)
	if r.Allowed != Yes && len(allowInProcess(r)) > 0 {
		// A new session is on its way: the message goes in it
		// (settleSaved), or fails with it.
		r.saved = append(r.saved, savedMessage{body: m, timeout: timeout, report: rep})
		c.stat("message_saved")
		return
	}
	if r.Allowed != Yes {
		c.stat("unallowed_remote")
		rep(ErrNotAllowed)
		return
	}
	t := c.cfg.Timers
	mt := &messenger{burst: c.cfg.BurstSize, body: m, timeout: timeout, report: rep}
	mt.txBase = newTxBase(c, r, raet.TrnsMessage, false, r.SID, r.nextTID(), timeout, t.MessageRedoMin, t.MessageRedoMax)
	plain, err := body.Encode(c.cfg.BodyKind, m)
	if err != nil {
		c.stat("packing_error")
		rep(err)
		return
	}
	box, err := r.sessionBox()
	if err != nil {
		c.stat("packing_error")
		rep(err)
		return
	}
	size := raet.UDPMaxPacketSize
	if len(plain) > raet.UDPMaxPacketSize/2 {
		// Only a message that may need segments asks the path (once per
		// address: the system's interfaces, on the loop).
		size = c.packetSize(r)
	}
	if mt.packets, err = wire.PackTrayLaterSize(mt.head(raet.PcktMessage, raet.CoatNacl, raet.FootNacl), plain, box, c.signer, size); err != nil {
		c.stat("packing_error")
		rep(err)
		return
	}
	mt.win = newWindow(size, mt.burst)
	if _, taken := r.transactions[mt.index()]; taken {
		c.stat("message_index_collision")
		rep(ErrNacked)
		return
	}
	mt.sentAt = make([]time.Time, len(mt.packets))
	r.transactions[mt.index()] = mt
	mt.sendBurst()
}

// send transmits one packet of the tray, noting when.
func (mt *messenger) send(p *wire.Packet) {
	now := mt.c.clock.Now()
	mt.transmit(p)
	if p.SN < len(mt.sentAt) {
		mt.sentAt[p.SN] = now
	}
	if p.WF {
		mt.rtt.waiting(now)
	}
	mt.c.stat("message_segment_tx")
}

// answered takes a round-trip sample for the message's estimate and the
// remote's meter (metrics).
func (mt *messenger) answered(now time.Time) {
	if sample, ok := mt.rtt.answered(now); ok {
		mt.r.meter.roundTrip(sample)
	}
}

// inFlight reports whether packet sn was sent so lately that a copy may
// still be on its way: within the round trip and its variation, and never
// longer than the shortest retransmission wait.
func (mt *messenger) inFlight(sn int, now time.Time) bool {
	if sn >= len(mt.sentAt) || mt.sentAt[sn].IsZero() {
		return false
	}
	return now.Sub(mt.sentAt[sn]) < min(mt.rtt.flight(), mt.redo.min)
}

// sendBurst sends the next burst of the tray, the last packet asking for an
// answer.
func (mt *messenger) sendBurst() {
	n := min(len(mt.packets)-mt.current, mt.win.cwnd)
	if n <= 0 {
		return
	}
	burst := mt.packets[mt.current : mt.current+n]
	if last := burst[n-1]; !last.WF {
		last.WF = true
		mt.repack(last)
	}
	for _, p := range burst {
		mt.send(p)
		mt.current++
	}
}

func (mt *messenger) repack(p *wire.Packet) {
	if err := p.RepackLater(mt.c.signer); err != nil {
		mt.c.stat("packing_error")
	}
}

func (mt *messenger) finish(err error) {
	delete(mt.r.transactions, mt.index())
	if mt.report != nil {
		mt.report(err)
		mt.report = nil
	}
}

func (mt *messenger) receive(now time.Time, p *wire.Packet) {
	c, r := mt.c, mt.r
	switch p.PK {
	case raet.PcktAck: // send more, from after the highest segment it has
		mt.acked = true
		mt.answered(now)
		c.refresh(r, Yes)
		c.stat("message_ack_rx")
		mt.win.acked()
		mt.tail(p.SN, now)
		if len(mt.misseds) > 0 {
			mt.sendMisseds()
			return
		}
		mt.sendBurst()
	case raet.PcktResend:
		mt.acked = true
		mt.answered(now)
		c.refresh(r, Yes)
		c.stat("message_resend_rx")
		mt.resend(p, now)
	case raet.PcktDone:
		c.refresh(r, Yes)
		c.stat("message_initiate_complete")
		mt.finish(nil)
	case raet.PcktNack:
		c.refresh(r, Yes)
		c.stat("message_reject_rx")
		mt.refused()
	case raet.PcktUnjoined:
		// The remote does not know us by the uid the message names (it
		// lost its keep): it never took the message. The reference ignores
		// this, and the messenger retried for ever.
		c.stat("message_unjoined_rx")
		mt.refused()
	}
}

// resend queues the segments the messengent lists as missing.
func (mt *messenger) resend(p *wire.Packet, now time.Time) {
	c := mt.c
	box, err := mt.r.sessionBox()
	if err != nil {
		c.stat("invalid_resend")
		return
	}
	plain, err := p.Plain(box)
	if err != nil {
		c.stat("invalid_resend")
		return
	}
	m, err := body.Decode(p.BK, plain)
	if err != nil {
		c.stat("invalid_resend")
		return
	}
	v, _ := m.Get("misseds")
	list, ok := v.([]any)
	if !ok {
		c.stat("invalid_resend")
		return
	}
	misseds := make([]int, 0, len(list))
	for _, x := range list {
		n, ok := x.(int64)
		if !ok || n < 0 || n >= int64(len(mt.packets)) {
			c.stat("invalid_misseds")
			return
		}
		misseds = append(misseds, int(n))
	}
	mt.listed(misseds, now)
}

// sendMisseds sends a burst of the missing segments again: marked again
// (af), the last asking for an answer (wf), the others not.
func (mt *messenger) sendMisseds() {
	// Not those that arrived since they were listed.
	mt.misseds = slices.DeleteFunc(mt.misseds, mt.has)
	n := min(len(mt.misseds), mt.win.cwnd)
	for i, sn := range mt.misseds[:n] {
		p := mt.packets[sn]
		wf := i == n-1
		if !p.AF || p.WF != wf {
			p.AF, p.WF = true, wf
			mt.repack(p)
		}
		mt.send(p)
	}
	mt.misseds = mt.misseds[n:]
}

func (mt *messenger) process(now time.Time) {
	if mt.gaveUp(now) {
		mt.finish(ErrTimedOut)
		return
	}
	if !mt.redo.expired(now) {
		return
	}
	mt.redo.backoff(now)
	if p := mt.last; p != nil && p.PK == raet.PcktMessage {
		if mt.acked && !p.AF {
			p.AF = true // the receiver has begun: this is a retransmission
			mt.repack(p)
		}
		mt.send(p)
		mt.c.stat("redo_segment")
	}
}

// nack ends the message with the remote; its sender is told by whoever
// ends it.
func (mt *messenger) nack() {
	h := mt.head(raet.PcktNack, raet.CoatNacl, raet.FootNacl)
	mt.c.send(&h, mt.r.HA)
	mt.c.stat("messenger_transaction_failure")
	delete(mt.r.transactions, mt.index())
}

// messengent receives one message (Messengent).
type messengent struct {
	txBase
	head      wire.Head // replies mirror the first packet's wf, ck and fk
	tray      wire.RxTray
	lowest    int  // the lowest segment found missing so far
	open      bool // counted among its remote's open incoming messages
	held      int  // segment bytes counted against its remote
	delivered bool // handed to the application: answered done from now on
}

// replyMessage answers the first packet of a message (RoadStack.replyMessage).
func replyMessage(c *core, now time.Time, p *wire.Packet, r *Remote) {
	t := c.cfg.Timers
	e := &messengent{}
	e.txBase = newTxBase(c, r, raet.TrnsMessage, true, p.SI, p.TI, 0, t.MessageRedoMin, t.MessageRedoMax)
	e.head = e.txBase.head(raet.PcktAck, p.CK, p.FK)
	e.head.WF = p.WF
	// The redo timer runs from the start, as the reference's: if the last
	// segment of a burst is lost, it is what asks for more.
	e.redo.restart(now)
	e.progress(now)
	if e.admit(p) {
		e.message(p)
	}
}

func (e *messengent) receive(now time.Time, p *wire.Packet) {
	switch p.PK {
	case raet.PcktMessage:
		e.message(p)
	case raet.PcktNack:
		e.c.refresh(e.r, Yes)
		e.c.stat("message_reject_nack")
		e.remove()
	}
}

// allowSender allows again a remote whose message found no session here
// and none being made: the remote holds one and sends in it, so this side
// lost its own (an allow that gave up in a storm) and its sender waits
// for it to be made again. A main leaves it to the remote, as with joins.
func (c *core) allowSender(r *Remote) {
	if c.cfg.Main || r.Joined != Yes || len(allowInProcess(r)) > 0 || len(joinInProcess(r)) > 0 {
		return
	}
	c.stat("unallowed_message_allow")
	c.allow(r, true)
}

// message takes one packet of the message.
func (e *messengent) message(p *wire.Packet) {
	c, r := e.c, e.r
	if r.Allowed != Yes && len(allowInProcess(r)) > 0 {
		// A new session is being made: the message is neither taken nor
		// refused yet. Its sender sends it again, and once allowed it is
		// taken, or refused if sealed for the old session (and then sent
		// again in the new one), rather than failed at once.
		if _, ok := r.transactions[e.index()]; !ok {
			r.transactions[e.index()] = e
		}
		c.stat("message_while_allowing")
		return
	}
	if r.Allowed != Yes {
		c.stat("unallowed_message_attempt")
		e.nack()
		c.allowSender(r)
		return
	}
	had := e.tray.Have()
	coat, err := e.tray.Add(p)
	if err != nil {
		c.stat("parsing_message_error")
		e.nack()
		return
	}
	if t, ok := r.transactions[e.index()]; !ok {
		r.transactions[e.index()] = e
	} else if t != transaction(e) {
		c.stat("message_index_collision")
		e.nack()
		return
	}
	if e.tray.Have() > had {
		e.progress(c.clock.Now())
	}
	if !e.account() {
		return
	}
	c.refresh(r, Yes)
	c.stat("message_segment_rx")
	switch {
	case coat != nil:
		e.complete(coat)
	case p.WF: // the messenger waits for an answer
		e.askForMore()
	}
}

// askForMore asks for the segments found missing, or, when none are, for
// whatever comes after the highest one.
func (e *messengent) askForMore() {
	// One resend packet's worth at a time: a tray whose first segment
	// came last would otherwise list every number below it, many packets
	// for one received.
	limit := raet.MaxMissedsResend
	if e.c.resendAll {
		limit = 0
	}
	if misseds := e.tray.MissingFirst(e.lowest, limit); len(misseds) > 0 {
		e.lowest = misseds[0]
		e.resend(misseds)
		return
	}
	h := e.head
	h.PK, h.SN = raet.PcktAck, e.tray.Highest()
	e.send(h, nil)
	e.c.stat("message_more_ack")
}

// resend lists missing segments, at most MaxMissedsResend a packet.
func (e *messengent) resend(misseds []int) {
	for len(misseds) > 0 {
		n := min(len(misseds), raet.MaxMissedsResend)
		list := make([]any, n)
		for i, m := range misseds[:n] {
			list[i] = int64(m)
		}
		h := e.head
		h.PK = raet.PcktResend
		e.send(h, body.Map{{Key: "misseds", Value: list}})
		e.c.stat("message_resend_tx")
		misseds = misseds[n:]
	}
}

func (e *messengent) send(h wire.Head, v any) { e.txBase.send(h, v, e.remove) }

// complete opens and reads the whole message, says done, and delivers it.
func (e *messengent) complete(coat []byte) {
	c, r := e.c, e.r
	first := e.tray.Head()
	var box *raet.Box
	if first.CK == raet.CoatNacl && len(coat) > 0 {
		var err error
		if box, err = r.sessionBox(); err != nil {
			c.stat("parsing_message_error")
			e.nack()
			return
		}
	}
	plain, err := wire.OpenCoat(first.CK, coat, box)
	if err != nil {
		c.stat("parsing_message_error")
		e.nack()
		return
	}
	decode := body.Decode
	if box != nil { // plain was opened into a buffer of its own: given away
		decode = body.DecodeOwned
	}
	m, err := decode(first.BK, plain)
	if err != nil {
		c.stat("parsing_message_error")
		e.nack()
		return
	}
	e.delivered = true
	h := e.head
	h.PK = raet.PcktDone
	if e.txBase.send(h, nil, e.remove) {
		r.keepDone(e.last)
	}
	c.stat("message_complete_ack")
	c.received = append(c.received, Received{Body: m, From: r.Name, UID: r.UID})
	e.remove()
	c.stat("messengent_correspond_complete")
}

func (e *messengent) process(now time.Time) {
	if e.timedOut(now) { // no new segment for MessageStall
		e.refuse("messengent_stalled")
		return
	}
	if !e.redo.expired(now) {
		return
	}
	e.redo.backoff(now)
	e.askForMore()
}

// remove forgets the transaction and remembers for a while whether it was
// delivered (Messengent.remove), so a late duplicate is answered as it
// ended, and not delivered twice.
func (e *messengent) remove() {
	if e.r.transactions[e.index()] == transaction(e) {
		delete(e.r.transactions, e.index())
	}
	e.release()
	e.c.remember(e.r, e.sid, e.tid, e.delivered)
}

func (e *messengent) nack() {
	h := e.head
	h.PK = raet.PcktNack
	e.c.send(&h, e.r.HA)
	e.c.stat("messengent_transaction_failure")
	e.remove()
}

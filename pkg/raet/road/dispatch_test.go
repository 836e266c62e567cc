package road

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// dispatchBench is one stack core on a simulated network and a scripted
// peer that sends it crafted packets and collects its replies.
type dispatchBench struct {
	t       *testing.T
	clk     *clock.Fake
	net     *netsim.Network
	core    *core
	peer    *netsim.Endpoint
	signer  *raet.Signer // the peer's long-term key
	remote  *Remote      // the core's view of the peer
	replies []*wire.Packet
}

var (
	stackAddr = netip.MustParseAddrPort("127.0.0.1:7530")
	peerAddr  = netip.MustParseAddrPort("127.0.0.1:7531")
)

func newDispatchBench(t *testing.T, main bool) *dispatchBench {
	t.Helper()
	b := &dispatchBench{t: t, clk: clock.NewFake()}
	b.net = netsim.New(1, b.clk.Now)
	ep, err := b.net.Listen(stackAddr)
	if err != nil {
		t.Fatal(err)
	}
	own, _ := raet.NewSigner(bytes.Repeat([]byte{0x33}, 32))
	b.core = newCore(Config{Name: "main", Main: main, Signer: own, Conn: ep, Clock: b.clk})
	ep.SetHandler(func(d netsim.Datagram) { b.core.receive(d.From, d.Data) })

	b.peer, _ = b.net.Listen(peerAddr)
	b.peer.SetHandler(func(d netsim.Datagram) {
		p, err := wire.ParsePacket(d.Data)
		if err != nil {
			t.Fatalf("the stack sent a datagram that does not parse: %v", err)
		}
		ver, _ := raet.NewVerifier(own.VerKey())
		if err := p.Verify(ver); err != nil {
			t.Fatalf("the stack's reply does not verify: %v", err)
		}
		b.replies = append(b.replies, p)
	})
	b.signer, _ = raet.NewSigner(bytes.Repeat([]byte{0x11}, 32))

	// The stack knows the peer as uid 2; the peer knows the stack as uid 3.
	b.remote = newRemote(2, peerAddr)
	b.remote.Name, b.remote.FUID, b.remote.RSID = "other", 3, 5
	b.remote.verfer, _ = raet.NewVerifier(b.signer.VerKey())
	b.core.addRemote(b.remote)
	return b
}

// send delivers one packet from the peer and every reply back.
func (b *dispatchBench) send(h wire.Head) {
	b.t.Helper()
	b.replies = nil
	pkt, err := wire.Pack(&h, nil, nil, b.signer)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.peer.WriteTo(pkt.Packed, stackAddr); err != nil {
		b.t.Fatal(err)
	}
	for b.net.InFlight() > 0 {
		b.clk.Advance(time.Millisecond)
		b.net.Deliver()
	}
}

// expect checks the stats the packet moved and the replies it caused.
func (b *dispatchBench) expect(name string, stats map[string]uint64, replies int) {
	b.t.Helper()
	for k, v := range stats {
		if b.core.stats[k] != v {
			b.t.Errorf("%s: stat %s = %d, want %d (all: %v)", name, k, b.core.stats[k], v, b.core.stats)
		}
	}
	if len(b.replies) != replies {
		b.t.Errorf("%s: %d replies, want %d", name, len(b.replies), replies)
	}
	clear(b.core.stats)
}

func TestDispatchDrops(t *testing.T) {
	for _, c := range []struct {
		name string
		h    wire.Head
		stat string
	}{
		{"broadcast", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, DE: 2, SI: 5, TI: 1, BF: true}, "broadcast_unsupported"},
		{"join with a session", wire.Head{TK: raet.TrnsJoin, PK: raet.PcktRequest, SE: 3, SI: 1, TI: 1}, "join_invalid_sid"},
		{"join reply without nuid", wire.Head{TK: raet.TrnsJoin, PK: raet.PcktResponse, CF: true, TI: 1}, "join_invalid_nuid"},
		{"join without fuid", wire.Head{TK: raet.TrnsJoin, PK: raet.PcktRequest, TI: 1}, "join_invalid_fuid"},
		{"vacuous join not a request", wire.Head{TK: raet.TrnsJoin, PK: raet.PcktAck, SE: 3, TI: 1}, "join_stale"},
		{"session 0", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, DE: 2, TI: 1}, "invalid_sid"},
		{"no uids", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, SI: 5, TI: 1}, "invalid_uid"},
		{"unknown estate", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, DE: 9, SI: 5, TI: 1}, "unknown_destination_uid"},
		{"no correspondent for it", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktAck, SE: 3, DE: 2, SI: 5, TI: 1}, "stale_packet"},
		{"unsigned message", wire.Head{TK: raet.TrnsMessage, PK: raet.PcktMessage, SE: 3, DE: 2, SI: 5, TI: 1}, "parsing_outer_error_signature"},
		{"signed reply, estate unknown", wire.Head{TK: raet.TrnsAlive, PK: raet.PcktAck, CF: true, SE: 3, DE: 9, SI: 5, TI: 1, FK: raet.FootNacl}, "parsing_outer_error_signature"},
		{"signed nack, estate unknown", wire.Head{TK: raet.TrnsAllow, PK: raet.PcktNack, SE: 3, DE: 9, SI: 5, TI: 1, FK: raet.FootNacl}, "parsing_outer_error_signature"},
	} {
		b := newDispatchBench(t, true)
		b.send(c.h)
		b.expect(c.name, map[string]uint64{c.stat: 1}, 0)
	}
	// A transaction started with an estate we do not know cannot be
	// verified, but is answered unjoined, signed, so its initiator joins.
	b := newDispatchBench(t, true)
	b.send(wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, DE: 9, SI: 5, TI: 1, FK: raet.FootNacl})
	b.expect("signed, estate unknown", map[string]uint64{"parsing_outer_error_signature": 1, "unknown_remote_unjoined": 1}, 1)
	if n := b.replies[0]; n.PK != raet.PcktUnjoined || !n.CF || n.SE != 9 || n.DE != 3 || n.SI != 5 || n.TI != 1 || n.TK != raet.TrnsAlive || !n.Signed() {
		t.Errorf("answer to an unknown estate: %+v", n.Head)
	}
	// A forged signature: signed by another key than the remote's.
	b = newDispatchBench(t, true)
	b.signer, _ = raet.NewSigner(bytes.Repeat([]byte{0x77}, 32))
	b.send(wire.Head{TK: raet.TrnsAlive, PK: raet.PcktRequest, SE: 3, DE: 2, SI: 5, TI: 1, FK: raet.FootNacl})
	b.expect("forged", map[string]uint64{"parsing_outer_error": 1, "parsing_outer_error_signature": 1, "stale_packet": 0}, 0)
	// Garbage.
	if err := b.peer.WriteTo([]byte("hello"), stackAddr); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(time.Millisecond)
	b.net.Deliver()
	b.expect("garbage", map[string]uint64{"parsing_outer_error_head": 1}, 0)
}

// A transaction the remote starts in an older session than its last is
// answered with a stale nack (Stalent) that mirrors the packet.
func TestDispatchStaleSessionIsNacked(t *testing.T) {
	b := newDispatchBench(t, true)
	b.send(wire.Head{TK: raet.TrnsMessage, PK: raet.PcktMessage, SE: 3, DE: 2, SI: 4, TI: 7, BK: raet.BodyJSON, CK: raet.CoatNacl, FK: raet.FootNacl})
	b.expect("stale sid", map[string]uint64{"stale_sid": 1, "stale_initiator_nack": 1}, 1)
	n := b.replies[0]
	if n.PK != raet.PcktNack || !n.CF || n.SE != 2 || n.DE != 3 || n.SI != 4 || n.TI != 7 ||
		n.TK != raet.TrnsMessage || n.CK != raet.CoatNacl || n.FK != raet.FootNacl || len(n.Coat()) != 0 {
		t.Errorf("stale nack %+v", n.Head)
	}
	// A stale nack is never answered, or two stacks would nack forever.
	b.send(wire.Head{TK: raet.TrnsMessage, PK: raet.PcktNack, SE: 3, DE: 2, SI: 4, TI: 7, FK: raet.FootNacl})
	b.expect("stale nack", map[string]uint64{"stale_sid": 1, "stale_initiator_nack": 0}, 0)
}

// A newer session from the remote is taken, and its older correspondents go.
func TestDispatchNewerSessionIsTaken(t *testing.T) {
	b := newDispatchBench(t, true)
	old := &fakeTx{}
	b.remote.transactions[txIndex{rf: true, le: 2, re: 3, si: 5, ti: 1}] = old
	b.remote.done[doneKey{5, 9}] = doneRecord{at: time.Now(), delivered: true}
	b.send(wire.Head{TK: raet.TrnsAlive, PK: raet.PcktAck, SE: 3, DE: 2, SI: 6, TI: 1})
	if b.remote.RSID != 6 {
		t.Errorf("rsid %d, want 6", b.remote.RSID)
	}
	if !old.nacked || len(b.remote.transactions) != 0 {
		t.Errorf("the old session's correspondent was not nacked and removed")
	}
	// Its delivered messages are still answered done, in their session.
	if len(b.remote.done) != 1 {
		t.Errorf("done records %v, want the old session's kept", b.remote.done)
	}
	b.expect("newer sid", map[string]uint64{"stale_correspondent": 1}, 0)
}

// A reply for a transaction we do not have is nacked as stale (Staler),
// but for an alive's ack or a message's done: an alivent, and a messengent
// that said done, keep nothing to end.
func TestDispatchStaleReplyIsNacked(t *testing.T) {
	b := newDispatchBench(t, true)
	b.send(wire.Head{TK: raet.TrnsMessage, PK: raet.PcktAck, CF: true, SE: 3, DE: 2, SI: 1, TI: 4, FK: raet.FootNacl})
	b.expect("stale reply", map[string]uint64{"stale_correspondent_nack": 1}, 1)
	n := b.replies[0]
	if n.PK != raet.PcktNack || n.CF || n.SE != 2 || n.DE != 3 || n.SI != 1 || n.TI != 4 || n.TK != raet.TrnsMessage {
		t.Errorf("stale nack %+v", n.Head)
	}
	b.send(wire.Head{TK: raet.TrnsAlive, PK: raet.PcktAck, CF: true, SE: 3, DE: 2, SI: 1, TI: 5, FK: raet.FootNacl})
	b.expect("stale alive ack", map[string]uint64{"stale_alive_ack": 1, "stale_correspondent_nack": 0}, 0)
	b.send(wire.Head{TK: raet.TrnsMessage, PK: raet.PcktDone, CF: true, SE: 3, DE: 2, SI: 1, TI: 6, FK: raet.FootNacl})
	b.expect("stale message done", map[string]uint64{"stale_message_done": 1, "stale_correspondent_nack": 0}, 0)
	for _, pk := range []raet.PcktKind{raet.PcktNack, raet.PcktRefuse, raet.PcktReject, raet.PcktRenew, raet.PcktUnjoined, raet.PcktUnallowed} {
		b.send(wire.Head{TK: raet.TrnsAlive, PK: pk, CF: true, SE: 3, DE: 2, SI: 1, TI: 4})
		b.expect("stale "+pk.String(), map[string]uint64{"stale_correspondent_nack": 0}, 0)
	}
}

// A join naming a uid this stack no longer knows gets renew: join again.
func TestDispatchJoinWithLostUIDIsRenewed(t *testing.T) {
	b := newDispatchBench(t, true)
	b.send(wire.Head{TK: raet.TrnsJoin, PK: raet.PcktRequest, SE: 3, DE: 42, TI: 1, BK: raet.BodyJSON})
	b.expect("lost uid", map[string]uint64{"stale_nuid": 1, "stale_initiator_nack": 1}, 1)
	n := b.replies[0]
	if n.PK != raet.PcktRenew || !n.CF || n.SE != 42 || n.DE != 3 || n.SI != 0 || n.TK != raet.TrnsJoin || n.Signed() {
		t.Errorf("renew %+v", n.Head)
	}
}

// A message already delivered is answered done again, a retransmitted
// segment of one never begun as stale; neither is handed on again.
func TestDispatchDoneMessageIsNotDeliveredTwice(t *testing.T) {
	b := newDispatchBench(t, true)
	delivered := 0
	b.core.correspondents[[2]uint8{uint8(raet.TrnsMessage), uint8(raet.PcktMessage)}] =
		func(*core, time.Time, *wire.Packet, *Remote) { delivered++ }
	b.remote.done[doneKey{5, 7}] = doneRecord{at: b.clk.Now().Add(600 * time.Second), delivered: true}
	msg := wire.Head{TK: raet.TrnsMessage, PK: raet.PcktMessage, SE: 3, DE: 2, SI: 5, TI: 7, FK: raet.FootNacl}
	b.send(msg)
	b.expect("done", map[string]uint64{"message_done_again": 1, "stale_initiator_nack": 0}, 1)
	if d := b.replies[0]; d.PK != raet.PcktDone || !d.CF || d.SE != 2 || d.DE != 3 || d.TI != 7 {
		t.Errorf("a message done before is answered %+v, want done", d.Head)
	}
	again := msg
	again.TI, again.AF = 8, true
	b.send(again)
	b.expect("again", map[string]uint64{"stale_initiator_nack": 1}, 1)
	fresh := msg
	fresh.TI = 9
	b.send(fresh)
	b.expect("fresh", map[string]uint64{"stale_initiator_nack": 0}, 0)
	if delivered != 1 {
		t.Errorf("correspondent started %d times, want once (for the fresh message)", delivered)
	}
}

func TestIndexes(t *testing.T) {
	from := netip.MustParseAddrPort("10.0.0.1:4510")
	// A vacuous join request as the joinent sees it and as the joiner sent it.
	req := &wire.Packet{Head: wire.Head{TK: raet.TrnsJoin, PK: raet.PcktRequest, SE: 2, TI: 1}, From: from}
	if got := rxIndex(req); got != (txIndex{rf: true, le: 0, ra: from, ti: 1}) {
		t.Errorf("vacuous request rx index %+v", got)
	}
	if got := txIndexOf(&req.Head, from); got != (txIndex{rf: false, le: 2, ra: from, ti: 1}) {
		t.Errorf("vacuous request tx index %+v", got)
	}
	// The joinent's reply carries se 0: the joiner matches it by address.
	resp := &wire.Packet{Head: wire.Head{TK: raet.TrnsJoin, PK: raet.PcktResponse, DE: 2, TI: 1, CF: true}, From: from}
	if got := rxIndex(resp); got != (txIndex{rf: false, le: 2, ra: from, ti: 1}) {
		t.Errorf("vacuous response rx index %+v", got)
	}
	// Once joined, uids alone.
	msg := &wire.Packet{Head: wire.Head{SE: 3, DE: 2, SI: 5, TI: 9}, From: from}
	if got := rxIndex(msg); got != (txIndex{rf: true, le: 2, re: 3, si: 5, ti: 9}) {
		t.Errorf("message rx index %+v", got)
	}
}

func TestNextUIDSkipsTaken(t *testing.T) {
	b := newDispatchBench(t, true) // local uid 1, remote 2
	b.core.puid = 0
	if got := b.core.nextUID(); got != 3 {
		t.Errorf("nextUID = %d, want 3 (1 is local, 2 taken)", got)
	}
	b.core.puid = 0xffffffff
	if got := b.core.nextUID(); got != 3 {
		t.Errorf("nextUID after rollover = %d, want 3", got)
	}
}

// fakeTx is a transaction that records what is done to it.
type fakeTx struct{ nacked bool }

func (f *fakeTx) kind() raet.TrnsKind             { return raet.TrnsMessage }
func (f *fakeTx) receive(time.Time, *wire.Packet) {}
func (f *fakeTx) process(time.Time)               {}
func (f *fakeTx) deadline() (t time.Time)         { return }
func (f *fakeTx) nack()                           { f.nacked = true }

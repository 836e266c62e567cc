package road

import (
	"bytes"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// A copy of a message already delivered (its sender's redo ran out before
// the done came) is answered done again with the very datagram of the
// first done: no second signature. Back-to-back jobs to 1,000 emulated
// minions had a copy of every second return, each signed anew before.
func TestDoneAgainSignedOnce(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	var msg []byte // beta's message as alpha read it
	alpha.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsMessage && p.PK == raet.PcktMessage {
			msg = bytes.Clone(d.Data)
		}
		alpha.receive(d.From, d.Data)
	})
	var dones [][]byte // alpha's dones as beta read them
	beta.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); err == nil && p.TK == raet.TrnsMessage && p.PK == raet.PcktDone {
			dones = append(dones, bytes.Clone(d.Data))
		}
		beta.receive(d.From, d.Data)
	})
	o := beta.send(alpha, body.Map{{Key: "text", Value: "hello"}}, 0)
	s.runUntil(time.Minute, "delivered", func() bool { return o.reported && len(alpha.received) == 1 && len(dones) == 1 })
	signed := alpha.signer.Signatures()
	alpha.receive(beta.conn.LocalAddr(), msg) // the copy
	s.runUntil(time.Minute, "done again", func() bool { return len(dones) == 2 })
	if n := alpha.signer.Signatures() - signed; n != 0 {
		t.Errorf("the done again cost %d signatures, want 0", n)
	}
	if !bytes.Equal(dones[0], dones[1]) {
		t.Errorf("done again %q, want the first done %q", dones[1], dones[0])
	}
	if alpha.stats["message_done_again"] != 1 || len(alpha.received) != 1 {
		t.Errorf("stats %v, %d delivered", alpha.stats, len(alpha.received))
	}
}

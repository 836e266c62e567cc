package road

import (
	"net/netip"
	"time"
)

// What a stack measured of its traffic with each remote, for a daemon's
// metrics. The counts are kept by the loop as it sends and hears answers
// (a few additions on what it does anyway); Meters and Depths copy them at
// the caller's pace, so nothing is computed until someone asks.

// meter is a remote's traffic figures. It belongs to the stack's loop.
type meter struct {
	sent    uint64        // packets of transactions sent to the remote, first copies and again
	resent  uint64        // of those, sent again: a redo timer ran out, or the remote asked for them
	rtt     time.Duration // smoothed round trip (RFC 6298's 1/8 gain); 0 before the first sample
	rttvar  time.Duration // its mean deviation (RFC 6298's 1/4 gain)
	samples uint64        // round trips measured
	// backedOff is the redo wait an alive last needed (its first wait
	// doubled by each repeat), kept until a clean sample comes, as TCP
	// keeps its backed-off RTO (RFC 6298 5.5-5.7): an answer to a repeat
	// gives no sample (Karn), so a path slower than the first wait would
	// otherwise never be measured, and every alive would go several times.
	backedOff time.Duration
	// late is set when an ack of an alive came after the alive had
	// ended (given up, or answered by another copy), and cleared by a
	// clean sample: the aliver's timeout is then stretched.
	late bool
}

// transmitted counts one packet sent; again is true for a retransmission.
func (m *meter) transmitted(again bool) {
	m.sent++
	if again {
		m.resent++
	}
}

// roundTrip takes one sample of the round trip to the remote.
func (m *meter) roundTrip(d time.Duration) {
	if d < 0 {
		return
	}
	m.samples++
	m.backedOff, m.late = 0, false
	if m.rtt == 0 {
		m.rtt, m.rttvar = d, d/2
		return
	}
	m.rttvar += (abs(m.rtt-d) - m.rttvar) / 4
	m.rtt += (d - m.rtt) / 8
}

// rto is how long an answer from the remote may take before a request is
// sent again (RFC 6298): the smoothed round trip and four deviations, or
// the wait an alive last backed off to, whichever is longer; 0 before
// anything was learnt.
func (m *meter) rto() time.Duration {
	d := m.backedOff
	if m.rtt > 0 {
		d = max(d, m.rtt+4*m.rttvar)
	}
	return d
}

// RemoteMeter is what a stack measured of one remote.
type RemoteMeter struct {
	Name, Role string
	UID        uint32
	HA         netip.AddrPort
	// Joined, Allowed and Alived are the remote's state now; Reaped is true
	// once a main gave up on it.
	Joined, Allowed, Alived Tri
	Reaped                  bool
	// Sent counts the packets of transactions sent to the remote, Resent
	// those sent again (lost, or their answer lost): Resent/Sent estimates
	// the loss on the path.
	Sent, Resent uint64
	// RTT is the smoothed round trip, from alives and messages answered;
	// zero until the first sample. Samples counts them.
	RTT     time.Duration
	Samples uint64
	// Transactions is how many transactions with the remote are open;
	// Saved how many messages wait for its next session.
	Transactions, Saved int
}

// Meters returns what the stack measured of each remote, in no order, or
// nil once the stack has stopped.
func (s *Stack) Meters() []RemoteMeter {
	var out []RemoteMeter
	if s.do(func(c *core) {
		out = make([]RemoteMeter, 0, len(c.remotes))
		for _, r := range c.remotes {
			out = append(out, RemoteMeter{Name: r.Name, Role: r.Role, UID: r.UID, HA: r.HA,
				Joined: r.Joined, Allowed: r.Allowed, Alived: r.Alived, Reaped: r.Reaped,
				Sent: r.meter.sent, Resent: r.meter.resent, RTT: r.meter.rtt, Samples: r.meter.samples,
				Transactions: len(r.transactions), Saved: len(r.saved)})
		}
	}) != nil {
		return nil
	}
	return out
}

// Depths is how much waits inside a stack.
type Depths struct {
	// Received is the messages delivered and not yet taken by Receive,
	// Events the events not yet taken by Events.
	Received, Events int
	// Checked is the datagrams verified and waiting for the loop.
	Checked int
}

// Depths returns how much waits inside the stack now; zero once stopped.
func (s *Stack) Depths() Depths {
	var q Depths
	s.do(func(c *core) { q.Received, q.Events = len(c.received), len(c.events) })
	q.Checked = len(s.checked)
	return q
}

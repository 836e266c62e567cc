package road

import (
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// Config describes a road stack: who it is and how it talks.
type Config struct {
	Name    string // the local estate's name, unique on the road
	Role    string // whose keys these are; defaults to Name
	UID     uint32 // the local estate's uid; defaults to 1
	Main    bool   // accepts vacuous joins from estates it does not know
	Mutable bool   // lets joins change a known remote's name, keys or address
	Kind    uint8  // application kind sent in joins
	FQDN    string // the local estate's fully qualified name, kept in its keep

	// Keep persists the estate and decides which remote roles are accepted;
	// a stack without one accepts no joins.
	Keep *keep.Keep
	// Acceptor, when set, decides instead of the keep whether a role with
	// its keys is accepted, pending or rejected: Salt's key store, as
	// SaltKeep overrides statusRole with RaetKey.status. It is asked again
	// at every redo of a pended join, so a key an operator accepts takes
	// effect within the joinent's redo maximum.
	Acceptor Acceptor
	// Timers of the transactions; zero fields take the reference's defaults.
	Timers Timers

	Signer    *raet.Signer    // long-term Ed25519 key
	Privateer *raet.Privateer // long-term Curve25519 key

	Conn  Conn
	Clock clock.Clock

	HeadKind raet.HeadKind // of every packet sent; RAET heads by default
	BodyKind raet.BodyKind // of join, alive, message and stale bodies; JSON when nada
	// BurstSize caps how many segments a message sends before it waits for
	// an answer; 0 takes DefaultBurstSize. Below the cap the burst is a
	// window that grows while bursts arrive whole and halves on loss
	// (window.go). With Unlimited (the reference's default, all at once)
	// only the window and about 2 MB bound it.
	BurstSize int
	// MaxPacketSize is the largest road datagram this stack reads, said
	// in its joins (segsize.go): 0 takes JumboPacketSize; a negative
	// value, or one no larger than the reference's 1 KB, says nothing,
	// and every message is cut as the reference cuts it.
	MaxPacketSize int
	// PathMTU, when set, gives the MTU of the path toward an address
	// instead of SystemPathMTU: simulations have no interfaces.
	PathMTU func(netip.Addr) int

	// Manage turns on presence management: an alive to every remote each
	// Timers.Period, and reaping after Timers.Interim. With ManageCascade
	// the alives join and allow again whatever has fallen apart.
	Manage, ManageCascade bool
	// AwaitJoiners keeps a main's presence management from starting joins
	// and allows of its own toward estates not joined and allowed: they
	// join and allow it themselves (a Salt minion always does, and is told
	// unjoined or unallowed when it sends otherwise). In a join storm the
	// main's own allows toward minions whose allows were still on their
	// way doubled the key exchanges, a quarter of the master's CPU.
	AwaitJoiners bool

	// MaxRxMessages and MaxRxBytes bound, per remote, the incoming messages
	// begun and not finished and the segment bytes they hold; beyond them a
	// message is refused and counted. Zero takes DefaultMaxRxMessages and
	// DefaultMaxRxBytes.
	MaxRxMessages, MaxRxBytes int
	// VacuousJoinBurst and VacuousJoinEvery limit the new vacuous joins a
	// main takes from one source address: a burst, then one per interval
	// (see joinLimiter). Zero takes the defaults.
	VacuousJoinBurst int
	VacuousJoinEvery time.Duration

	// ReadBatch is how many datagrams one read of the socket may take
	// (recvmmsg, when the Conn is a BatchConn): 0 takes DefaultReadBatch on
	// a main and 1 elsewhere; 1 or less reads one at a time. WriteOne sends
	// one datagram per system call even when the Conn could send several.
	ReadBatch int
	WriteOne  bool

	// Unveritive accepts message packets without a signature. The reference's
	// stacks are veritive (they refuse them) by default, and so are ours.
	Unveritive bool

	// Workers is how many goroutines verify received datagrams and sign
	// and send beside the loop, each; 0 takes one per core. QueueLen is
	// the length of the queues between them and the loop; 0 takes
	// DefaultQueueLen. A process running thousands of stacks (the minion
	// emulator) sets both small: its cores are shared by all the stacks
	// anyway, and each queue's buffer is allocated whole at the start.
	Workers, QueueLen int

	// MaxDeciding bounds the joins a main takes while its Acceptor decides
	// them off the loop (ErrDeciding); beyond it new join requests are
	// dropped unanswered until decisions land (deciding.go). Zero takes
	// DefaultMaxDeciding; negative, no bound.
	MaxDeciding int
	// MaxAllowing bounds the allows a main has under way (hellos answered
	// whose initiate has not come); beyond it new hellos are dropped
	// unanswered until allows finish (allowlimit.go). Zero takes
	// DefaultMaxAllowing; negative, no bound.
	MaxAllowing int
	// PresenceRate bounds the alives presence management starts a second;
	// those due beyond it are spread over the next free slots (budget.go).
	// Zero takes DefaultPresenceRate; negative, no bound.
	PresenceRate int
	// HelloMaxAge drops a hello that waited longer in the socket, by the
	// kernel's receive time, where the socket gives it: its allower gives
	// up before the answer and the initiate after it come through the same
	// queue. Zero takes half of Timers.AllowTimeout; negative, no limit.
	HelloMaxAge time.Duration
	// JoinJitter spreads a joiner's redos: its whole redo schedule is
	// stretched by a factor drawn in [1, 1+JoinJitter), so that estates
	// started together, whose joins a main dropped together, do not all
	// ask again at the same instant. Zero takes DefaultJoinJitter;
	// negative, none. The draw is seeded by the stack's name: a
	// simulation repeats exactly.
	JoinJitter float64
}

// DefaultQueueLen is the length of a stack's queues of checked and
// outgoing datagrams; those of received datagrams are a quarter of it.
const DefaultQueueLen = 1024

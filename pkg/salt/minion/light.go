package minion

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// What a process running many minions (pkg/salt/emulator) leaves out or
// makes smaller. The road, the router and the job path stay the minion's
// own: only what an emulated minion has no use for, or what thousands of
// them would pay for many times over, is changed.

// WithoutLane runs the minion without its manor yard: no local tool
// (salt-call) talks to an emulated minion, and a Unix socket each would
// double the descriptors of a process holding thousands. Requests from
// local yards then never come; the rest of the minion is unchanged.
func WithoutLane() Option { return func(o *options) { o.noLane = true } }

// WithRoadWorkers sets how many goroutines verify, sign and send beside
// the road's loop, and the length of the queues between them (road.Config
// Workers and QueueLen; 0 keeps the road's default). A minion alone uses
// one per core; thousands in one process share the cores anyway.
func WithRoadWorkers(workers, queueLen int) Option {
	return func(o *options) { o.roadWorkers, o.roadQueue = workers, queueLen }
}

// WithMaxPacket sets the largest road datagram the minion reads and says
// in its joins (road.Config MaxPacketSize): its reader's buffer is that
// large, 64 KiB by default, which thousands of minions in one process
// would hold each.
func WithMaxPacket(n int) Option { return func(o *options) { o.maxPacket = n } }

// WithCommitter makes the minion's jid queue and spool durable through c,
// a group commit shared by the minions of one process on one filesystem
// (syncfs covers them all) instead of one of its own, which holds its
// cachedir open: a descriptor a minion that thousands share a process
// with cannot spare. The minion syncs through c at its end; c's owner
// closes it.
func WithCommitter(c *fsutil.Committer) Option { return func(o *options) { o.commit = c } }

// openLane opens the manor yard in sock_dir, unless WithoutLane.
func (m *Minion) openLane() error {
	if m.o.noLane {
		return nil
	}
	var err error
	m.lane, err = lane.NewStack(lane.Config{Name: protocol.YardManor, Lane: m.cfg.LaneName(), Dir: m.cfg.SockDir,
		PackKind: raet.PackMsgpack, BufCount: m.cfg.RaetLaneBufcnt})
	if err != nil {
		return fmt.Errorf("sock_dir %s: %w", m.cfg.SockDir, err)
	}
	return nil
}

// MasterAllowed reports whether a master has allowed this minion now: a
// job can reach it and its returns can go.
func (m *Minion) MasterAllowed() bool {
	_, _, ok := m.masters.pick(m.road.Remotes())
	return ok
}

// MasterAllowedSeen is what the road's last event of a master said: true
// after an allow or an alive, false after a loss or a removal. It costs an
// atomic load where MasterAllowed is a round trip through the road's loop,
// which a process counting thousands of minions every 100 ms (the
// emulator's progress) pays thousands of times over; with one master it
// follows MasterAllowed, but a re-allow under way is not seen.
func (m *Minion) MasterAllowedSeen() bool { return m.allowedSeen.Load() }

// RoadStats returns the counters of the minion's road stack (road.Stack
// Stats): what its transactions did and every datagram it dropped, by
// reason.
func (m *Minion) RoadStats() map[string]uint64 { return m.road.Stats() }

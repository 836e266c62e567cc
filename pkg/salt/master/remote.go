package master

import (
	"time"

	"errors"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Commands a minion sends to remote_cmd that the master carries out,
// defined by the contract.
const (
	CmdReturn = protocol.CmdReturn // "_return"
	CmdPillar = protocol.CmdPillar // "_pillar"
)

// remote returns what the road stack knows of the estate that signed a
// message: its uid and name as the message came, its role from a cache
// read again whenever the name does not agree (a join renamed it) or the
// uid is new.
func (m *Master) remote(uid uint32, name string) (road.RemoteState, bool) {
	m.remotesMu.Lock()
	defer m.remotesMu.Unlock()
	if rs, ok := m.remotes[uid]; ok && rs.Name == name {
		return rs, true
	}
	// One remote, not all: in a join storm every new estate's first
	// message misses, and reading all of them each time is quadratic.
	rs, ok := m.road.Remote(uid)
	if !ok {
		return rs, false
	}
	if m.remotes == nil {
		m.remotes = map[uint32]road.RemoteState{}
	}
	m.remotes[uid] = rs
	return rs, rs.Name == name
}

// forgetRemotes makes the next look-up read the road stack's remotes again.
func (m *Master) forgetRemotes() {
	m.remotesMu.Lock()
	m.remotes = nil
	m.remotesMu.Unlock()
}

// onRemoteCmd takes a minion's request off the router; the policy let
// through only those of estates the road stack knows (knownMinion). The
// work, the key's acceptance first, is done by a worker.
func (m *Master) onRemoteCmd(msg route.Message) {
	m.enqueue(func() { m.remoteCmd(msg) })
}

// remoteCmd serves a minion's request. The minion is the role of the
// estate that signed the message.
func (m *Master) remoteCmd(msg route.Message) {
	rs, ok := m.remote(msg.FromUID, msg.FromEstate)
	if !ok { // gone since the policy looked
		m.refuse("unknown_estate", "Dropped a remote_cmd from estate %s %s", msg.FromEstate, estateGone(msg))
		return
	}
	id := rs.Role
	if why := m.unaccepted(id); why != "" {
		m.refuse("unaccepted_estate", "Dropped a remote_cmd from estate %s (minion %s): %s", msg.FromEstate, id, why)
		return
	}
	load, cmd, ok := protocol.Load(msg.Body)
	if !ok {
		m.refuse("bad_load", "Dropped a remote_cmd from %s: it has no load mapping", id)
		return
	}
	switch cmd {
	case CmdReturn:
		m.handleReturn(id, load)
	case CmdPillar:
		m.handlePillar(id, rs, msg.Route, load)
	case protocol.CmdServeFile, protocol.CmdFileHash, protocol.CmdFileHashAndStat, protocol.CmdFileList,
		protocol.CmdFileListEmptyDirs, protocol.CmdDirList, protocol.CmdSymlinkList, protocol.CmdFileEnvs, protocol.CmdFileRecv, protocol.CmdMasterOpts:
		m.handleFiles(id, rs, msg.Route, cmd, load)
	case protocol.CmdMinionEvent:
		m.handleMinionEvent(id, rs, msg.Route, load)
	case protocol.CmdMine, protocol.CmdMineGet, protocol.CmdMineDelete, protocol.CmdMineFlush:
		m.handleMine(id, rs, msg.Route, cmd, load)
	default:
		m.refuse("unknown_cmd", "Dropped a remote_cmd from %s: cmd %s is not supported", id, quoteCmd(load))
	}
}

// handleReturn is RemoteFuncs._return for the minion id: the load's id is
// replaced with it, whatever the minion wrote; the return is kept once, for
// a job in the cache that targeted the minion; then it is fired under
// <jid> and salt/job/<jid>/ret/<id>.
func (m *Master) handleReturn(id string, load body.Map) {
	load = slices.Clone(load)
	if claimed, ok := load.String("id"); ok && claimed != id {
		m.stats.Add("return_id_replaced")
		m.log.Warnf("Return from minion %s claimed the id %q; stored as %s", id, clip(claimed), id)
	}
	load.Set("id", id)
	if !load.Has("fun_args") {
		load = m.restoreFunArgs(load)
	}
	r, err := job.ParseReturn(load)
	if err != nil {
		m.refuse("bad_load", "Dropped a return from %s: %v", id, err)
		return
	}
	jid := r.JID
	if jid == job.ReqJID {
		// A job the minion started itself: it gets a jid here.
		if jid, err = m.jobs.prep(); err != nil {
			m.stats.Add("cache_error")
			m.log.Errorf("Return from %s: %v", id, err)
			return
		}
		load.Set("jid", jid)
		saved := slices.Clone(load) // the writer's, behind
		m.jobs.saveLoad(jid, saved, []string{id}, true, false, func(err error) {
			if err != nil {
				m.stats.Add("cache_error")
				m.log.Errorf("Return from %s: %v", id, err)
			}
		})
	} else {
		targeted, err := m.jobs.targeted(jid, id)
		switch {
		case isUnknown(err):
			m.refuse("unknown_jid", "Dropped a return from %s for job %s, which is not in the job cache", id, jid)
			return
		case err != nil:
			m.stats.Add("cache_error")
			m.log.Errorf("Return from %s for job %s: %v", id, jid, err)
			return
		case !targeted:
			m.refuse("untargeted_return", "Dropped a return from %s for job %s, which did not target it", id, jid)
			return
		}
	}
	// Kept now, durable at the group commit this asks for: the road said
	// done to the minion when the message came, before any of this.
	if err := m.jobs.saveReturn(jid, id, load); err != nil {
		switch {
		case errors.Is(err, job.ErrDuplicateReturn):
			m.refuse("duplicate_return", "Dropped a second return from %s for job %s (a possible replay)", id, jid)
			return
		case errors.Is(err, job.ErrUnknownJob):
			m.refuse("unknown_jid", "Dropped a return from %s for job %s, which is not in the job cache", id, jid)
			return
		}
		// Not kept, but the client still hears of it.
		m.stats.Add("cache_error")
		m.log.Errorf("Return from %s for job %s: %v", id, jid, err)
	}
	m.stats.Add("return")
	m.watch.returned(jid, id, r.Fun, r.Return, m.now())
	m.log.Debugf("Return from %s for job %s", id, jid)
	// Stamped here, replacing any "_stamp" the minion sent, as Salt's
	// fire_event does; 3006's store_job fires it under the ret tag only
	// (no longer under the bare jid).
	m.ev.fire(job.RetTag(jid, id), protocol.StampedEvent(m.retEvent(jid, load), time.Now()))
}

// roadDropped counts and logs a message from the road the router dropped
// before the policy saw it: its route is malformed, names no source
// estate, or is for another estate (estates are not relayed).
func (m *Master) roadDropped(msg route.Message, err error) {
	switch {
	case errors.Is(err, route.ErrInvalidRoute):
		m.refuse("road_invalid_route", "Dropped a message from %s: %v", msg.FromEstate, err)
	case errors.Is(err, route.ErrNoSource):
		m.refuse("road_no_source", "Dropped a message from %s: its route names no source estate", msg.FromEstate)
	case errors.Is(err, route.ErrForeignDestination):
		m.refuse("road_foreign_destination", "Dropped a message from %s for estate %q: estates are not relayed",
			msg.FromEstate, clip(msg.Route.Dst.Estate))
	default:
		m.refuse("road_undeliverable", "Dropped a message from %s (%s): %v", msg.FromEstate, clip(msg.Route.String()), err)
	}
}

package master

import (
	"fmt"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// What New opens, in order: the stores on disk, the road, the lane and the
// router that joins them, and the handlers the router gives messages to.

// openStores makes the cachedir and opens what lives on disk: the key
// store, with the master's own keys (returned), the job cache and the
// access keys.
func (m *Master) openStores() (*pki.Local, error) {
	cfg := m.cfg
	if err := cfg.CheckYardPaths(); err != nil {
		return nil, err
	}
	// The cachedir first, with the mode Salt's verify_env gives it, so it
	// does not take the narrower mode of whatever is made inside it first.
	if err := mkdir.All(cfg.Cachedir, config.CachedirMode); err != nil {
		return nil, fmt.Errorf("cachedir %s: %w", cfg.Cachedir, err)
	}
	var err error
	m.store, err = pki.Open(cfg.PKIDir, pki.Options{
		OpenMode: cfg.OpenMode, AutoAccept: cfg.AutoAccept,
		AutosignFile: cfg.AutosignFile, AutorejectFile: cfg.AutorejectFile,
		PermissivePKIAccess: cfg.PermissivePKIAccess, MaxPendingKeys: cfg.MaxPendingKeys,
	})
	if err != nil {
		return nil, fmt.Errorf("pki_dir %s: %w", cfg.PKIDir, err)
	}
	m.keyc = newKeyCache(m.store)
	for _, w := range m.store.CheckAutoFiles() {
		m.log.Warn(w)
	}
	local, err := m.store.LoadOrCreateLocal()
	if err != nil {
		return nil, fmt.Errorf("the master's own keys: %w", err)
	}
	m.cache, err = job.OpenCache(cfg.Cachedir, cfg.HashType)
	if err != nil {
		return nil, fmt.Errorf("cachedir %s: %w", cfg.Cachedir, err)
	}
	if err := m.openJobStore(); err != nil {
		return nil, err
	}
	if err := m.openAuth(); err != nil {
		return nil, err
	}
	users := accessUsers(cfg.User)
	users = append(users, m.aclKeyUsers(users)...)
	m.keys, err = writeAccessKeys(cfg.Cachedir, users)
	if err != nil {
		return nil, err
	}
	if m.files, err = newFileServer(cfg, m.log); err != nil {
		return nil, err
	}
	if m.opts.pillar == nil {
		m.opts.pillar = newPillarCompiler(cfg, m.log).Compile
	}
	return local, nil
}

// openRoad opens the road keep and makes the road stack, the key store
// judging joins, on the connection of the options or one bound to
// interface:raet_port.
func (m *Master) openRoad(local *pki.Local) error {
	cfg := m.cfg
	m.judge = &keyJudge{store: m.store, log: m.log, stats: &m.stats, warn: m.keyWarnings}
	if authEvents, ok := cfg.Raw["auth_events"].(bool); !ok || authEvents {
		m.judge.fire = func(tag string, data any) { m.ev.fire(tag, data) } // m.ev is made by openLane
	}
	kp, err := m.openKeep(local)
	if err != nil {
		return err
	}
	conn := m.opts.conn
	if conn == nil {
		if conn, err = road.ListenUDP(cfg.RoadAddr()); err != nil {
			return fmt.Errorf("cannot listen on %s (interface and raet_port in %s): %w", cfg.RoadAddr(), cfg.ConfFile, err)
		}
	}
	m.road, err = road.NewStack(road.Config{
		Name: m.estate, Role: cfg.ID, Main: true, Mutable: cfg.Mutable(), Kind: config.KindMaster,
		Keep: kp, Acceptor: m.judge, Timers: m.opts.timers,
		Signer: local.Signer, Privateer: local.Privateer,
		Conn: conn, Clock: m.opts.clock, BodyKind: raet.BodyMsgpack,
		Manage: true, ManageCascade: true, AwaitJoiners: true,
		MaxDeciding: roadBound(cfg.RaetMaxDeciding), MaxAllowing: roadBound(cfg.RaetMaxAllowing),
		PresenceRate: roadBound(cfg.RaetPresenceRate),
	})
	if err != nil {
		conn.Close()
		return err
	}
	if m.road.Name() != m.estate {
		// openKeep made the keep agree; a stack that still differs would
		// answer to a name no minion expects.
		m.closeRoad()
		return fmt.Errorf("road keep %s names the estate %q, not %q", kp.Dir(), m.road.Name(), m.estate)
	}
	return nil
}

// roadBound is a config bound as the road takes it: the option's 0, no
// bound, is the road's negative (its 0 takes its default).
func roadBound(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// openLane binds the manor yard and makes the router, which takes what
// both the road and the lane deliver and applies the master's policy.
func (m *Master) openLane() error {
	var err error
	m.lane, err = lane.NewStack(lane.Config{Name: protocol.YardManor, Lane: m.cfg.LaneName(), Dir: m.cfg.SockDir,
		PackKind: raet.PackMsgpack, BufCount: m.cfg.RaetLaneBufcnt, Mode: m.manorMode()})
	if err != nil {
		return fmt.Errorf("manor yard in sock_dir %s: %w", m.cfg.SockDir, err)
	}
	m.router = route.New(route.Config{Road: m.road, Lane: m.lane, Estate: m.estate, Yard: protocol.YardManor,
		Policy: m.policy(), OnUndeliverable: m.undeliverable, Outbox: eventOutbox})
	m.ev = &eventer{estate: m.estate, yard: protocol.YardManor, send: m.router.Send,
		backlogged: m.lane.Backlogged, drained: m.lane.Drained, unread: m.lane.Unread, stuck: m.eventYardStuck, count: m.stats.AddN}
	return nil
}

// eventOutbox is how many messages may wait for one of the master's yards:
// a job to 5,000 minions fires 10,000 events in a few seconds, and with
// route.Outbox (1,024) a salt command starved of CPU for a moment was
// unsubscribed and waited out its timeout. Salt's own event publisher
// buffers each subscriber without a bound; this is two events for each
// of 32,768 minions, tens of MB for a yard that never reads.
const eventOutbox = 1 << 16

// handle gives the router the master's handlers.
func (m *Master) handle() {
	for share, h := range m.handlers() {
		m.router.Handle(share, h)
	}
}

// handlers are the master's handlers by share, one for each share of its
// policy (policy.go).
func (m *Master) handlers() map[string]func(route.Message) {
	return map[string]func(route.Message){
		protocol.ShareRemoteCmd:   m.onRemoteCmd,
		protocol.ShareLocalCmd:    m.onLocalCmd,
		protocol.ShareEventReq:    m.onEventReq,
		protocol.ShareEventFire:   m.onEventFire,
		protocol.SharePresenceReq: m.onPresenceReq,
		protocol.ShareStatsReq:    m.onStatsReq,
	}
}

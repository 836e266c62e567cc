package minion

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// What New opens, in the order it opens it.

// checkConfig refuses a configuration a minion cannot start from.
func checkConfig(cfg *config.Minion) error {
	if cfg == nil {
		return errors.New("minion: no configuration")
	}
	if cfg.ID == "" {
		return errors.New("minion: the configuration has no id")
	}
	if len(cfg.Master.Addrs) == 0 {
		return fmt.Errorf("minion: %s names no master", cfg.ConfFile)
	}
	return cfg.CheckYardPaths()
}

// openKeys opens the key store under pki_dir and the minion's own keys,
// creating local.key on the first start.
func (m *Minion) openKeys() (*pki.Local, error) {
	cfg := m.cfg
	var err error
	m.store, err = pki.Open(cfg.PKIDir, pki.Options{OpenMode: cfg.OpenMode, AutoAccept: cfg.AutoAccept,
		PermissivePKIAccess: cfg.PermissivePKIAccess})
	if err != nil {
		return nil, fmt.Errorf("pki_dir %s: %w", cfg.PKIDir, err)
	}
	local, err := m.store.LoadOrCreateLocal()
	if err != nil {
		return nil, fmt.Errorf("the minion's keys: %w", err)
	}
	return local, nil
}

// openJobFiles opens what the jobs keep under the cachedir: the proc
// directory, the jid queue and the return spool; and makes sock_dir.
func (m *Minion) openJobFiles() error {
	cfg := m.cfg
	for _, dir := range []string{filepath.Join(cfg.Cachedir, "proc"), cfg.SockDir} {
		if err := mkdir.All(dir, 0o700); err != nil {
			return err
		}
	}
	m.jobs = newJobTable(filepath.Join(cfg.Cachedir, "proc"))
	m.jobs.clock = m.o.clock
	m.jobs.busy = m.o.busy
	var problems []error
	var err error
	if m.jidQ, problems, err = openJIDQueue(cfg.Cachedir, cfg.MinionJidQueueHwm); err != nil {
		return fmt.Errorf("cachedir %s: %w", cfg.Cachedir, err)
	}
	for _, p := range problems {
		m.log.Warnf("Jid queue: %v", p)
	}
	if m.spool, err = openSpool(filepath.Join(cfg.Cachedir, SpoolDir), m.log, m.sendToMaster); err != nil {
		return fmt.Errorf("return spool: %w", err)
	}
	m.spool.clock = m.o.clock
	// One group commit for the files of the cachedir that must survive a
	// crash of the machine: the jid queue and the spool.
	if m.commit = m.o.commit; m.commit == nil {
		if m.commit, err = fsutil.NewCommitter(cfg.Cachedir, func(err error) {
			m.log.Errorf("Cachedir %s: %v", cfg.Cachedir, err)
		}); err != nil {
			return fmt.Errorf("cachedir %s: %w", cfg.Cachedir, err)
		}
	}
	m.jidQ.commit = m.commit
	m.spool.setCommit(m.commit)
	return nil
}

// closeCommit syncs what the group commit has not covered yet.
func (m *Minion) closeCommit() {
	if m.jidQ != nil {
		m.jidQ.close()
	}
	if m.spool != nil {
		m.spool.close()
	}
	if m.commit == nil {
		return
	}
	if m.o.commit != nil { // shared: synced, closed by its owner
		if err := m.commit.Commit(m.commit.Last()); err != nil {
			m.log.Errorf("Cachedir %s: %v", m.cfg.Cachedir, err)
		}
		return
	}
	if err := m.commit.Close(); err != nil {
		m.log.Errorf("Cachedir %s: %v", m.cfg.Cachedir, err)
	}
}

// openRoad makes the road stack on the road connection of the options,
// or a UDP socket on interface:raet_port, with the keep k.
func (m *Minion) openRoad(local *pki.Local, k *keep.Keep) error {
	cfg, o := m.cfg, m.o
	conn := o.roadConn
	if conn == nil {
		var err error
		if conn, err = road.ListenUDP(cfg.RoadAddr()); err != nil {
			return fmt.Errorf("cannot open the road on %s (interface and raet_port of %s): %w", cfg.RoadAddr(), cfg.ConfFile, err)
		}
	}
	fqdn, _ := m.Grains()["fqdn"].(string)
	var err error
	m.road, err = road.NewStack(road.Config{
		Name: m.estate, Role: m.id, Main: cfg.RaetMain, Mutable: cfg.Mutable(), Kind: config.KindMinion, FQDN: fqdn,
		Keep: k, Acceptor: &masterAcceptor{store: m.store, log: m.log}, Timers: o.timers,
		Signer: local.Signer, Privateer: local.Privateer, Conn: conn, Clock: o.clock,
		BodyKind: raet.BodyMsgpack, Manage: true, ManageCascade: true,
		Workers: o.roadWorkers, QueueLen: o.roadQueue, MaxPacketSize: o.maxPacket,
	})
	if err != nil {
		conn.Close()
		return err
	}
	return nil
}

// openKeep opens the road keep, <cachedir>/raet/<estate> (json), and
// prepares it: the remembered masters are forgotten when
// raet_clear_remote_masters or raet_clear_remotes says so, with the uid
// counter reset so that the masters get the same uids as before, and the
// local estate takes the keys of local.key, which is the minion's identity
// (the keep's copy would otherwise win).
func (m *Minion) openKeep(local *pki.Local) (*keep.Keep, error) {
	dir := filepath.Join(m.cfg.Cachedir, "raet", m.estate)
	k, err := keep.Open(dir, keep.KindJSON, raet.AutoNever)
	if err != nil {
		return nil, fmt.Errorf("road keep: %w", err)
	}
	clear := m.cfg.RaetClearRemoteMasters || m.cfg.RaetClearRemotes
	if clear {
		if err := k.ClearRemotes(); err != nil {
			return nil, fmt.Errorf("road keep %s: %w", dir, err)
		}
	}
	l, err := k.LoadLocal()
	switch {
	case errors.Is(err, keep.ErrCleared):
		m.log.Warnf("Road keep: %v", err)
	case err != nil:
		return nil, fmt.Errorf("road keep: %w", err)
	}
	if l == nil {
		return k, nil
	}
	if l.SigHex != local.Signer.SeedHex() || l.PriHex != local.Privateer.Hex() {
		if l.SigHex != "" {
			m.log.Warnf("Road keep %s held other keys than %s; using %s", dir, m.store.LocalPath(), m.store.LocalPath())
		}
		l.SigHex, l.PriHex = local.Signer.SeedHex(), local.Privateer.Hex()
	}
	l.Name, l.Role = m.estate, m.id
	if clear {
		l.PUID = l.UID
	}
	if err := k.DumpLocal(l); err != nil {
		return nil, fmt.Errorf("road keep: %w", err)
	}
	return k, nil
}

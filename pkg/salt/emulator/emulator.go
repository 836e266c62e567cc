// Package emulator runs many Salt minions in one process: each a whole
// minion of pkg/salt/minion (its own keys, id, UDP socket on loopback, road
// stack, router, jid queue, spool and job path), joining, allowed, kept
// alive and answering jobs as salt-minion-raet does, so that a master can
// be tried with thousands of them on one machine.
//
// What the emulated minions share or leave out, and why:
//
//   - Keys are derived from the id (SHA-256 of a label and the id), so
//     that thousands are made at once without waiting on the system's
//     randomness, and so that a second run of the emulator with the same
//     ids shows the master the keys it accepted before. Anyone who knows
//     an id knows its keys: emulated minions are for tests and benchmarks,
//     never for a master that serves real ones.
//   - The grains are computed once and shared (each minion's map is a
//     shallow copy with its own id and server_id).
//   - The table of execution functions is the one every minion of the
//     process shares (pkg/salt/modules builds it once).
//   - No lane (no manor yard, no local tools: minion.WithoutLane), and one
//     verifier and one writer beside each road's loop with short queues
//     (minion.WithRoadWorkers): the cores are shared by all the minions.
//   - One group commit for all (syncfs covers the filesystem of Root), not
//     one each holding its cachedir open: a descriptor per minion.
//   - Each reads datagrams of at most 8 KB (DefaultMaxPacket, said in its
//     joins), not 64 KiB: its reader's buffer is that large.
//   - multiprocessing: False and python_fallback: False: jobs run in
//     goroutines of the minion (the minion's own code for it), not in a
//     process each, and no Python worker is ever started.
//
// Every minion's root is <Root>/<id> (pki, cache); Root is best on a tmpfs
// (/dev/shm), since joins and returns write files.
package emulator

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/grains"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/minion"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// Config says how many minions to run and against which master.
type Config struct {
	Count  int    // how many minions
	Prefix string // ids are <Prefix>-00001 …; "emu" when empty
	First  int    // the number of the first id; 1 when 0
	// Master and MasterPort are the master's road address.
	Master     string
	MasterPort int
	// Interface is the address each minion's socket binds, port 0;
	// 127.0.0.1 when empty.
	Interface string
	// Root holds each minion's root_dir, <Root>/<id>.
	Root string
	// Extra is YAML appended to every minion's configuration (it may
	// override the emulator's lines: the last line of a key wins).
	Extra string
	// Timers of every minion's road; zero fields take the defaults.
	Timers road.Timers
	// MaxPacket is the largest road datagram each minion reads and says
	// in its joins; DefaultMaxPacket when 0.
	MaxPacket int
	Log       logrus.FieldLogger
}

// DefaultMaxPacket is the emulated minions' largest road datagram: each
// reads with a buffer that large, 64 KiB for a minion alone, 640 MB for
// 10,000; a message larger goes in more segments.
const DefaultMaxPacket = 8 << 10

// Emulator is a set of minions made by New and run by Run.
type Emulator struct {
	cfg     Config
	minions []*minion.Minion
	// commit is the minions' one group commit (minion.WithCommitter): they
	// share Root's filesystem, and one each would hold a descriptor each.
	commit *fsutil.Committer
}

// baseConf is the configuration every emulated minion starts from.
const baseConf = `transport: raet
id: emulator-template
root_dir: %s
interface: %s
master: %s
master_port: %d
multiprocessing: False
python_fallback: False
log_level: warning
`

// New makes the minions: directories, keys, sockets and stacks. Nothing
// is sent before Run. On an error, the minions made so far are closed.
func New(cfg Config) (*Emulator, error) {
	if cfg.Count <= 0 {
		return nil, fmt.Errorf("emulator: no minions to run (%d)", cfg.Count)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "emu"
	}
	if cfg.First <= 0 {
		cfg.First = 1
	}
	if cfg.MaxPacket == 0 {
		cfg.MaxPacket = DefaultMaxPacket
	}
	if cfg.Interface == "" {
		cfg.Interface = "127.0.0.1"
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.WarnLevel)
		cfg.Log = l
	}
	tmpl, err := template(cfg)
	if err != nil {
		return nil, err
	}
	shared := grains.Core(grains.Options{ID: tmpl.ID, Master: tmpl.Master.Raw})
	e := &Emulator{cfg: cfg}
	if e.commit, err = fsutil.NewCommitter(cfg.Root, func(err error) { cfg.Log.Errorf("Emulated minions' files under %s: %v", cfg.Root, err) }); err != nil {
		return nil, err
	}
	for i := range cfg.Count {
		id := fmt.Sprintf("%s-%05d", cfg.Prefix, cfg.First+i)
		m, err := e.newMinion(tmpl, id, shared)
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("emulated minion %s: %w", id, err)
		}
		e.minions = append(e.minions, m)
	}
	return e, nil
}

// template loads the configuration every minion copies, from a conf dir
// the emulator writes under Root.
func template(cfg Config) (*config.Minion, error) {
	dir := filepath.Join(cfg.Root, "etc")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(baseConf, filepath.Join(cfg.Root, "template"), cfg.Interface, cfg.Master, cfg.MasterPort) + cfg.Extra
	if err := os.WriteFile(filepath.Join(dir, "minion"), []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return config.LoadMinion(dir)
}

// newMinion makes one minion of id from the template.
func (e *Emulator) newMinion(tmpl *config.Minion, id string, shared map[string]any) (*minion.Minion, error) {
	root := filepath.Join(e.cfg.Root, id)
	c := *tmpl
	c.ID, c.IDSource, c.RootDir = id, config.IDFromOption, root
	c.PKIDir, c.Cachedir = filepath.Join(root, "pki"), filepath.Join(root, "cache")
	c.SockDir, c.Pidfile = filepath.Join(root, "sock"), filepath.Join(root, "minion.pid")
	if err := os.MkdirAll(c.PKIDir, 0o700); err != nil {
		return nil, err
	}
	local, err := Keys(id)
	if err != nil {
		return nil, err
	}
	if err := pki.WriteLocalFile(c.PKIDir, local); err != nil {
		return nil, err
	}
	g := maps.Clone(shared)
	g["id"], g["server_id"] = id, grains.ServerID(id)
	conn, err := road.ListenUDP(e.cfg.Interface + ":0")
	if err != nil {
		return nil, err
	}
	m, err := minion.New(&c, e.cfg.Log.WithField("minion", id), minion.WithRoadConn(conn), minion.WithGrains(g),
		minion.WithTimers(e.cfg.Timers), minion.WithoutLane(), minion.WithRoadWorkers(1, 16), minion.WithMaxPacket(e.cfg.MaxPacket), minion.WithCommitter(e.commit))
	if err != nil {
		conn.Close()
		return nil, err
	}
	return m, nil
}

// Keys derives an emulated minion's long-term keys from its id.
func Keys(id string) (*pki.Local, error) {
	seed := sha256.Sum256([]byte("saltraet-emulator/" + id + "/sign"))
	pri := sha256.Sum256([]byte("saltraet-emulator/" + id + "/pri"))
	signer, err := raet.NewSigner(seed[:])
	if err != nil {
		return nil, err
	}
	priv, err := raet.NewPrivateer(pri[:])
	if err != nil {
		return nil, err
	}
	return &pki.Local{Signer: signer, Privateer: priv}, nil
}

// IDs are the minions' ids, in order.
func (e *Emulator) IDs() []string {
	ids := make([]string, len(e.minions))
	for i, m := range e.minions {
		ids[i] = m.ID()
	}
	return ids
}

// Minions are the emulated minions.
func (e *Emulator) Minions() []*minion.Minion { return e.minions }

// Run runs every minion until ctx ends, all started at once, and returns
// the first error a minion stopped with.
func (e *Emulator) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(e.minions))
	for i, m := range e.minions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.Run(ctx)
		}()
	}
	wg.Wait()
	e.closeCommit()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("emulated minion %s: %w", e.minions[i].ID(), err)
		}
	}
	return nil
}

// Allowed counts the minions a master has allowed now.
func (e *Emulator) Allowed() int {
	n := 0
	for _, m := range e.minions {
		if m.MasterAllowed() {
			n++
		}
	}
	return n
}

// AllowedSeen counts the minions whose road's last event of the master
// was an allow or an alive (minion.MasterAllowedSeen): atomic loads, where
// Allowed asks each minion's road loop in turn, which at 10,000 minions
// on a busy machine takes seconds and a core.
func (e *Emulator) AllowedSeen() int {
	n := 0
	for _, m := range e.minions {
		if m.MasterAllowedSeen() {
			n++
		}
	}
	return n
}

// Close releases the minions of an Emulator that is never Run.
func (e *Emulator) Close() {
	for _, m := range e.minions {
		m.Close()
	}
	e.closeCommit()
}

// closeCommit makes the minions' last writes durable and releases Root.
func (e *Emulator) closeCommit() {
	if e.commit == nil {
		return
	}
	if err := e.commit.Close(); err != nil {
		e.cfg.Log.Errorf("Emulated minions' files under %s: %v", e.cfg.Root, err)
	}
	e.commit = nil
}

// MinionStats sums the counters of every minion (minion.Stats): how often
// each lost its master and joined it again, its jobs and returns.
func (e *Emulator) MinionStats() map[string]uint64 {
	sum := map[string]uint64{}
	for _, m := range e.minions {
		for k, v := range m.Stats() {
			sum[k] += v
		}
	}
	return sum
}

// RoadStats sums the road counters of every minion.
func (e *Emulator) RoadStats() map[string]uint64 {
	sum := map[string]uint64{}
	for _, m := range e.minions {
		for k, v := range m.RoadStats() {
			sum[k] += v
		}
	}
	return sum
}

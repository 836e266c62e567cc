package minion

import (
	"context"
	"io"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// Caller is salt-call's minion (Salt's SMinion): the minion's job
// environment, built by the same openJobEnv as the daemon's and its job
// processes', with no road, lane or router of its own. What the functions
// ask of the master goes to req: a LocalMaster (file_client: local, the
// minion's own file_roots and pillar_roots) or a MinionLane (the running
// minion daemon, which forwards to its master).
type Caller struct {
	m *Minion
}

// NewCaller builds salt-call's minion from its configuration: the grains
// computed as the daemon computes them, the execution modules, the file
// client caching under the cachedir, the state system. The pillar is
// empty until LoadPillar. Close ends what it started (the Python
// fallback's worker).
func NewCaller(cfg *config.Minion, logger logrus.FieldLogger, req Requester) (*Caller, error) {
	if logger == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		logger = l
	}
	if err := mkdir.All(cfg.Cachedir, config.CachedirMode); err != nil {
		return nil, err
	}
	m := &Minion{cfg: cfg, log: logger, o: newOptions(nil), id: cfg.ID, estate: cfg.EstateName()}
	m.jobCtx, m.jobCancel = context.WithCancel(context.Background()) // before the fallback, which stops with it
	fallback := m.openFallback()
	// salt-call's grains include the custom ones, as the daemon's do.
	m.custom.run, _ = fallback.(grainsRunner)
	m.custom.ready = true
	m.grains.store(m.computeGrains(context.Background()))
	m.jobs = newJobTable(filepath.Join(cfg.Cachedir, "proc"))
	m.jobs.clock = m.o.clock
	m.openJobEnv(jobHooks{req: req, pillarReq: req, jobs: m.jobs, refreshGrains: m.refreshGrains,
		fallback: fallback})
	return &Caller{m: m}, nil
}

// LoadPillar compiles the minion's pillar (with the saltenv and pillarenv
// options) through the request channel, as SMinion does when it starts:
// salt-call's functions see it as the daemon's see theirs.
func (c *Caller) LoadPillar(ctx context.Context) error {
	o := c.m.cfg.FileOptions()
	p, err := c.m.requestPillar(ctx, o.Saltenv, o.Pillarenv, nil)
	if err != nil {
		return err
	}
	c.m.pillar.set(p)
	return nil
}

// Executor is the execution modules salt-call runs its function with.
func (c *Caller) Executor() *modules.Executor { return c.m.modules }

// Grains are the minion's grains.
func (c *Caller) Grains() map[string]any { return c.m.Grains() }

// Pillar is the pillar LoadPillar compiled.
func (c *Caller) Pillar() map[string]any { return c.m.Pillar() }

// Close stops the Python fallback's worker and anything left running with
// the job context.
func (c *Caller) Close() { c.m.jobCancel() }

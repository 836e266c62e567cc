package minion

import (
	"context"

	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// jobHooks are what a job's execution modules reach beyond the job: the
// master, the minion's pillar, its table of jobs, its grains and pillar
// refreshes, the Python fallback and the queue of state runs. The daemon's
// are the minion itself; a job process's are calls to its minion
// (jobproc_child.go), so every modules.Options field works in both.
type jobHooks struct {
	req           Requester // the master: the file client and MasterRequest
	pillarReq     Requester // the pillar's requests (a test's fake, or req)
	jobs          modules.Jobs
	refreshPillar func(ctx context.Context) error // nil: the minion's own refreshPillar
	refreshGrains func(ctx context.Context) error
	fallback      modules.Fallback
	stateRuns     modules.StateRuns // nil: the Executor's own queue
}

// openJobEnv builds the job environment from the hooks: the pillar store,
// the file client, the execution modules with their template renderer and
// state system. New calls it for the daemon (which runs jobs in process or
// answers its job processes), and a job process for itself, so the two
// cannot drift apart.
func (m *Minion) openJobEnv(h jobHooks) {
	m.hooks = h
	m.pillar = &pillarStore{req: h.pillarReq}
	m.files = m.openFiles(h.req)
	mo := modules.Options{Grains: m.Grains, Jobs: h.jobs, Files: m.files, Template: m.renderTemplate,
		Saltenv: m.cfg.FileOptions().Saltenv, Config: m.cfg, MasterRequest: h.req.Request,
		RefreshGrains: h.refreshGrains, Fallback: h.fallback, StateRuns: h.stateRuns}
	m.pillarModules(&mo)
	if h.refreshPillar != nil {
		mo.RefreshPillar = h.refreshPillar
	}
	mo.States = m.states()
	m.modules = modules.New(mo)
}

// openFiles makes the file client of the cp module and the states: it
// caches under the cachedir and asks the master through req, with the
// minion's hash_type and file_buffer_size.
func (m *Minion) openFiles(req Requester) *fileclient.Client {
	fc := fileclient.New(m.cfg.Cachedir, req, m.cfg.HashType)
	fc.BufferSize = m.cfg.FileOptions().FileBufferSize
	return fc
}

package minion

import (
	"context"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Requester is the minion's request channel to its master (request.go): a
// load sent to the master's remote_cmd on a track of its own, answered
// with the master's return.
type Requester interface {
	Request(ctx context.Context, load body.Map) (any, error)
}

// pillarStore is the minion's pillar in memory (Salt's opts["pillar"]):
// what the master compiled for it at the last allow or
// saltutil.refresh_pillar. Its values are never logged.
type pillarStore struct {
	req Requester // the minion's request channel, or a test's

	mu   sync.RWMutex
	data map[string]any
}

// get is the pillar in memory; never nil, and not to be modified.
func (s *pillarStore) get() map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.data == nil {
		return map[string]any{}
	}
	return s.data
}

func (s *pillarStore) set(p map[string]any) {
	s.mu.Lock()
	s.data = p
	s.mu.Unlock()
}

// withPillarRequester gives the minion a request channel for its pillar
// (tests; the daemon's is its own request channel).
func withPillarRequester(r Requester) Option { return func(o *options) { o.pillarReq = r } }

// Pillar returns the minion's pillar in memory.
func (m *Minion) Pillar() map[string]any { return m.pillar.get() }

// fetchPillar is the fresh pillar pillar.items asks for: compiled from
// pillarenv ("" for the minion's pillarenv option) with no saltenv, as
// salt.pillar.get_pillar is called there.
func (m *Minion) fetchPillar(ctx context.Context, pillarenv string, override map[string]any) (map[string]any, error) {
	if pillarenv == "" {
		pillarenv = m.cfg.FileOptions().Pillarenv
	}
	return m.requestPillar(ctx, "", pillarenv, override)
}

// requestPillar asks the master for this minion's pillar, as Salt's
// RemotePillar.compile_pillar: the load carries the grains, the
// environments and the pillar= override; the master compiles it for the
// estate that signed the request. A return that is not a mapping is an
// empty pillar, as Salt's "Got a bad pillar from master".
func (m *Minion) requestPillar(ctx context.Context, saltenv, pillarenv string, override map[string]any) (map[string]any, error) {
	ret, err := m.pillar.req.Request(ctx, protocol.PillarLoad(m.id, m.Grains(), saltenv, pillarenv, override))
	if err != nil {
		return nil, err
	}
	switch p := ret.(type) {
	case body.Map:
		return protocol.PlainMap(p), nil
	case map[string]any:
		return p, nil
	}
	m.log.Errorf("Got a bad pillar from master, type %T, expecting dict", ret)
	return map[string]any{}, nil
}

// refreshPillar fetches the pillar into memory (after each allow, and for
// saltutil.refresh_pillar).
func (m *Minion) refreshPillar(ctx context.Context) error {
	// As Minion._refresh_pillar: the saltenv and pillarenv options.
	p, err := m.requestPillar(ctx, m.cfg.FileOptions().Saltenv, m.cfg.FileOptions().Pillarenv, nil)
	if err != nil {
		m.log.Warnf("Pillar not refreshed: %v", err)
		return err
	}
	m.pillar.set(p)
	m.log.Debugf("Pillar refreshed: %d top-level keys", len(p))
	return nil
}

// askPillar follows an allow by a master: the pillar is fetched, which
// also gives the master the minion's grains for targeting; then, the
// first time, the start events and the mine schedule (onFirstPillar).
func (m *Minion) askPillar() {
	go func() {
		ctx, cancel := context.WithTimeout(m.jobCtx, m.o.returnTimeout)
		defer cancel()
		m.refreshPillar(ctx) //nolint:errcheck // logged; the next allow or refresh tries again
		m.onFirstPillar()
	}()
}

// pillarModules are the pillar's providers of the execution modules.
func (m *Minion) pillarModules(o *modules.Options) {
	o.Pillar = m.pillar.get
	o.RefreshPillar = m.refreshPillar
	o.FetchPillar = m.fetchPillar
}

package minion

import (
	"context"
	"maps"
	"sync/atomic"

	"github.com/saltraet/saltraet/pkg/salt/grains"
)

// grainsBox holds the minion's grains. A refresh (saltutil.refresh_grains,
// grains.setval) replaces the whole map while jobs, the publish matcher and
// pillar requests read it from other goroutines, so the map is swapped
// atomically and never modified once stored: readers keep a consistent
// snapshot and must not modify it either.
type grainsBox struct {
	p atomic.Pointer[map[string]any]
}

func (b *grainsBox) load() map[string]any {
	if g := b.p.Load(); g != nil {
		return *g
	}
	return nil
}

func (b *grainsBox) store(g map[string]any) { b.p.Store(&g) }

// computeGrains is what the loader gives the minion: its core grains (or
// the ones WithGrains gave) under <config_dir>/grains and the grains
// option, which win (staticGrains).
func (m *Minion) computeGrains() map[string]any {
	if m.o.grains == nil {
		return grains.Core(grains.Options{ID: m.cfg.ID, Master: m.cfg.Master.Raw, Static: m.staticGrains()})
	}
	g := maps.Clone(m.o.grains)
	maps.Copy(g, m.staticGrains())
	return g
}

// refreshGrains reloads the minion's grains, <config_dir>/grains included
// (saltutil.refresh_grains, and after grains.setval writes that file).
// Salt's refresh rebuilds the loader's grains the same way; the new map
// replaces the old one for everything that reads grains after it.
func (m *Minion) refreshGrains(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.grains.store(m.computeGrains())
	return nil
}

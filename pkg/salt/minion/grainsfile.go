package minion

import (
	"context"
	"maps"
	"path/filepath"
	"sync/atomic"

	"github.com/saltraet/saltraet/pkg/salt/grains"
	"github.com/saltraet/saltraet/pkg/salt/modules"
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
// the ones WithGrains gave), the custom grains of the synced grains
// modules over them (customgrains.go), and <config_dir>/grains and the
// grains option over all, which win (staticGrains).
func (m *Minion) computeGrains(ctx context.Context) map[string]any {
	var g map[string]any
	if m.o.grains == nil {
		g = grains.Core(grains.Options{ID: m.cfg.ID, Master: m.cfg.Master.Raw})
	} else {
		g = maps.Clone(m.o.grains)
	}
	g = m.withCustomGrains(ctx, g)
	maps.Copy(g, m.staticGrains())
	return g
}

// refreshGrains reloads the minion's grains, <config_dir>/grains and the
// custom grains included (saltutil.refresh_grains, sync_grains, and after
// grains.setval writes that file). Salt's refresh rebuilds the loader's
// grains the same way; the new map replaces the old one for everything
// that reads grains after it.
func (m *Minion) refreshGrains(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.grains.store(m.computeGrains(ctx))
	return nil
}

// staticGrains are the grains of <config_dir>/grains overlaid with the
// grains option, as Salt's loader merges them (the option wins). The file
// is read as grains.setval writes it (modules.ReadGrainsFile).
func (m *Minion) staticGrains() map[string]any {
	path := filepath.Join(m.cfg.ConfigDir, "grains")
	static, err := modules.ReadGrainsFile(path)
	if err != nil {
		m.log.Warnf("Ignoring %s: %v", path, err)
		static = map[string]any{}
	}
	if v, ok := m.cfg.Raw["grains"]; ok && v != nil {
		opt, ok := v.(map[string]any)
		if !ok {
			file, line, _ := m.cfg.Origin("grains")
			m.log.Warnf("%s:%d: grains: not a mapping; ignored", file, line)
		}
		maps.Copy(static, opt)
	}
	return static
}

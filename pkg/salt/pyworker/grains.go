package pyworker

import (
	"context"
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// CustomGrains runs the grains modules synced to <extension_modules>/grains
// (saltutil.sync_grains) as Salt's loader runs grains modules after its
// core ones: each public function is called (with grains= the grains so
// far where it takes it) and the dicts they return are merged over core.
// It returns the merged grains and the names of the modules loaded; an
// error when there is no worker to run them (no Python Salt) or it failed.
// A function that raises is logged by the worker and skipped, as Salt
// does.
func (w *Worker) CustomGrains(ctx context.Context, core map[string]any) (map[string]any, []string, error) {
	p, err := w.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	b, err := packed(core)
	if err != nil {
		return nil, nil, fmt.Errorf("the grains cannot go to the Python worker: %w", err)
	}
	m, err := w.request(ctx, p, []item{{"op", mustPack("grains")}, {"core", b}}, false)
	if err != nil {
		return nil, nil, err
	}
	if msg, ok := m.String("error"); ok {
		return nil, nil, errors.New(msg)
	}
	g, ok := m.Map("grains")
	if !ok {
		return nil, nil, errors.New("the Python worker answered no grains")
	}
	var mods []string
	if v, ok := m.Get("modules"); ok {
		list, _ := v.([]any)
		for _, x := range list {
			mods = append(mods, py.Str(x))
		}
	}
	plain, _ := py.Plain(g).(map[string]any)
	return plain, mods, nil
}

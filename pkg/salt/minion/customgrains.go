package minion

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
)

// Custom grains: the grains modules saltutil.sync_grains copies from
// salt://_grains into <extension_modules>/grains. Salt's loader runs them
// after its core grains and merges what they return over those; the Go
// minion has its core grains built in and runs the modules through the
// Python worker (python_fallback), at start and at every grains refresh.
// Without Python Salt they are not run, and a warning names them.

// grainsRunner runs the custom grains modules over the core grains: the
// Python worker (pyworker.Worker.CustomGrains).
type grainsRunner interface {
	CustomGrains(ctx context.Context, core map[string]any) (map[string]any, []string, error)
}

// customGrains is the minion's state of its custom grains.
type customGrains struct {
	// run runs them; nil when there is no Python worker.
	run grainsRunner
	// ready is set once New has made the worker: the grains computed
	// before it are the core ones alone, and warn of nothing.
	ready bool

	mu     sync.Mutex
	warned string // the modules last warned about, so a warning is said once
}

// errNoWorker is why grains modules are not run when python_fallback is
// off.
var errNoWorker = errors.New("python_fallback is off")

// grainsModuleExts are the files Salt's loader loads as modules.
var grainsModuleExts = []string{".py", ".pyc", ".pyx", ".so", ".zip"}

// grainsModules lists the files of the grains modules synced into dir,
// sorted.
func grainsModules(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var mods []string
	for _, e := range ents {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && slices.Contains(grainsModuleExts, filepath.Ext(e.Name())) {
			mods = append(mods, e.Name())
		}
	}
	return mods
}

// withCustomGrains returns core with the custom grains merged over it; core
// itself when no grains modules are synced, or when they cannot be run
// (then a warning names them, once for a set of modules).
func (m *Minion) withCustomGrains(ctx context.Context, core map[string]any) map[string]any {
	c := &m.custom
	if !c.ready {
		return core
	}
	dir := filepath.Join(m.cfg.ExtensionModules(), "grains")
	mods := grainsModules(dir)
	if len(mods) == 0 {
		return core
	}
	err := errNoWorker
	if c.run != nil {
		var g map[string]any
		if g, _, err = c.run.CustomGrains(ctx, core); err == nil {
			c.forget()
			return g
		}
	}
	c.warnOnce(m.log, dir, mods, err)
	return core
}

// warnOnce logs that mods were not run and why, unless the same mods
// were the last warned about.
func (c *customGrains) warnOnce(log logrus.FieldLogger, dir string, mods []string, why error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key := strings.Join(mods, " "); key != c.warned {
		c.warned = key
		log.Warnf("Custom grains modules in %s not run, Salt's loader is not available (%v): %s", dir, why, strings.Join(mods, ", "))
	}
}

// forget is after the modules ran: a later failure is warned about again.
func (c *customGrains) forget() {
	c.mu.Lock()
	c.warned = ""
	c.mu.Unlock()
}

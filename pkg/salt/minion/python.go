package minion

import (
	"context"
	"errors"
	"os"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/pyworker"
)

// openFallback makes the Python worker that runs Salt's own modules where
// Python Salt is installed (python_fallback); nil when the option is off.
// The worker process starts at the first function that is not built in,
// once for the minion, and stops with the minion's jobs (Close, or the
// end of Run), which is when jobCtx ends.
func (m *Minion) openFallback() modules.Fallback {
	cfg, ok := fallbackConfig(m.cfg, m.log)
	if !ok {
		return nil
	}
	cfg.Grains = m.Grains
	cfg.Pillar = func() map[string]any { return m.pillar.get() } // m.pillar is made after the fallback
	w := pyworker.New(cfg)
	stop := m.jobCtx // read here: the goroutine must not race a later assignment
	go func() {
		<-stop.Done()
		w.Close()
	}()
	return &fallback{Fallback: w, builtin: func(fun string) bool { return m.modules != nil && m.modules.Has(fun) }}
}

// fallbackConfig is the worker's configuration from the minion's; false
// when python_fallback is off.
func fallbackConfig(cfg *config.Minion, log logrus.FieldLogger) (pyworker.Config, bool) {
	pf := cfg.PythonFallback()
	if pf.Set && !pf.On {
		return pyworker.Config{}, false
	}
	python := pf.Python
	if python == "" {
		python = defaultPython()
	}
	return pyworker.Config{
		Python:           python,
		ID:               cfg.ID,
		ConfFile:         cfg.ConfFile,
		LogLevel:         cfg.LogLevel,
		Opts:             body.Map{{Key: "cachedir", Value: cfg.Cachedir}, {Key: "pki_dir", Value: cfg.PKIDir}, {Key: "sock_dir", Value: cfg.SockDir}},
		ExtensionModules: cfg.ExtensionModules(),
		Optional:         !pf.Set,
		Log:              log,
	}, true
}

// onedirPython is the interpreter of Salt 3006's onedir packages, which
// imports salt for certain; python3 on PATH may not.
var onedirPython = "/opt/saltstack/salt/bin/python3"

// defaultPython is the worker's interpreter when python_fallback_python is
// unset: the onedir Salt's where it is installed, else python3 on PATH.
func defaultPython() string {
	if _, err := os.Stat(onedirPython); err == nil {
		return onedirPython
	}
	return "python3"
}

// fallback is the worker as the minion's modules.Fallback: it lists only
// the functions the built-ins lack.
type fallback struct {
	modules.Fallback
	builtin func(fun string) bool
}

func (f *fallback) Functions(ctx context.Context) []string {
	all := f.Fallback.Functions(ctx)
	out := make([]string, 0, len(all))
	for _, fun := range all {
		if !f.builtin(fun) {
			out = append(out, fun)
		}
	}
	return out
}

// CustomGrains runs the synced grains modules through the worker, when it
// is one that can.
func (f *fallback) CustomGrains(ctx context.Context, core map[string]any) (map[string]any, []string, error) {
	if r, ok := f.Fallback.(grainsRunner); ok {
		return r.CustomGrains(ctx, core)
	}
	return nil, nil, errors.New("the Python worker cannot run grains modules")
}

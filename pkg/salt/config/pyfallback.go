package config

import "path/filepath"

// PythonFallback is how the minion runs the execution functions it has
// not built in: through Salt's own modules in a Python worker, where
// Python Salt is installed (pkg/salt/pyworker). Not a Salt option.
type PythonFallback struct {
	// Set says the files set python_fallback; unset means on when the
	// worker finds Python Salt at its first use, and never tried again
	// when it does not.
	Set bool
	// On is python_fallback: true starts the worker whenever a function
	// is not built in (and retries while it cannot start); false never
	// starts it.
	On bool
	// Python is python_fallback_python: the interpreter that imports
	// salt; "" means the onedir Salt's (/opt/saltstack/salt/bin/python3)
	// where it is installed, else python3 on PATH.
	Python string
}

// PythonFallback is the minion's python_fallback options.
func (m *Minion) PythonFallback() PythonFallback { return m.python }

func decodePythonFallback(d *decoder, p *PythonFallback) {
	d.boolean("python_fallback", &p.On)
	p.Set = d.lookup("python_fallback") != nil
	d.str("python_fallback_python", &p.Python)
}

// ExtensionModules is Salt's extension_modules: where saltutil.sync_*
// put the modules synced from salt://_<form>, and where Salt's loader
// finds them; <cachedir>/extmods unless the option says otherwise.
func (m *Minion) ExtensionModules() string {
	if s, ok := m.Raw["extension_modules"].(string); ok && s != "" {
		return m.Reroot(s)
	}
	return filepath.Join(m.Cachedir, "extmods")
}

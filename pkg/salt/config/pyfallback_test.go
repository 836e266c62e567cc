package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// python_fallback unset means "on where Salt is found"; set, it says on or
// off; python_fallback_python names the interpreter.
func TestPythonFallback(t *testing.T) {
	for _, c := range []struct {
		conf string
		want PythonFallback
	}{
		{"", PythonFallback{}},
		{"python_fallback: ~\n", PythonFallback{}},
		{"python_fallback: false\n", PythonFallback{Set: true}},
		{"python_fallback: True\npython_fallback_python: /opt/saltstack/salt/bin/python3\n",
			PythonFallback{Set: true, On: true, Python: "/opt/saltstack/salt/bin/python3"}},
	} {
		if got := minionConf(t, c.conf).PythonFallback(); got != c.want {
			t.Errorf("%q: PythonFallback() = %+v, want %+v", c.conf, got, c.want)
		}
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), "id: a\npython_fallback: maybe\n")
	_, err := testLoader.LoadMinion(dir)
	if err == nil || !strings.Contains(err.Error(), "python_fallback") || !strings.Contains(err.Error(), "want true or false") {
		t.Errorf("python_fallback: maybe loaded, err %v", err)
	}
}

// extension_modules is <cachedir>/extmods unless set, then re-rooted as
// Salt's prepend_root_dir does.
func TestExtensionModules(t *testing.T) {
	if got := minionConf(t, "cachedir: /var/c\n").ExtensionModules(); got != "/var/c/extmods" {
		t.Errorf("default ExtensionModules = %s", got)
	}
	root := t.TempDir()
	if got := minionConf(t, "root_dir: "+root+"\nextension_modules: /srv/ext\n").ExtensionModules(); got != root+"/srv/ext" {
		t.Errorf("ExtensionModules under root_dir = %s", got)
	}
}

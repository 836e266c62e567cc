package integration

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// A function no built-in has runs through the Python worker once it is
// synced: saltutil.sync_modules fetches salt://_modules into the minion's
// extension_modules, the worker (a stand-in for Python Salt, which CI does
// not have) builds its loader again, and the next job finds the function,
// with the minion's grains.
func TestSyncedModuleRunsThroughThePythonWorker(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fakeworker")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", fake, "./testdata/fakeworker")
	build.Dir = filepath.Dir(file)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the fake worker: %v\n%s", err, out)
	}
	files := filepath.Join(t.TempDir(), "files")
	writeFiles(t, files, map[string]string{
		"base/_modules/hello.py":  "def world(name):\n    return 'Hello, ' + name\n",
		"base/_modules/notes.txt": "def not_a_module(\n",
	})
	c := newCluster(t, true, rootsConf("file_roots", files))
	c.addMinion("m1", "python_fallback: true\npython_fallback_python: "+fake+"\n")
	c.waitReady("m1")

	if got := c.jsonOf("m1", "hello.world", "Go")["m1"]; got != "'hello.world' is not available." {
		t.Errorf("hello.world before the sync = %#v", got)
	}
	if got := c.jsonOf("m1", "saltutil.sync_modules")["m1"]; !reflect.DeepEqual(got, []any{"modules.hello"}) {
		t.Errorf("saltutil.sync_modules = %#v", got)
	}
	if got := c.jsonOf("m1", "hello.world", "Go")["m1"]; got != "hello.world([Go]) on m1" {
		t.Errorf("hello.world after the sync = %#v", got)
	}
	if got := c.jsonOf("m1", "test.ping")["m1"]; got != true {
		t.Errorf("test.ping (built in) = %#v", got)
	}
}

// A grains module synced from salt://_grains runs through the Python
// worker: saltutil.sync_grains copies it and refreshes the grains, and the
// next job, and a publish targeted at the new grain (-G), see it; the
// grains option still wins over it.
func TestSyncedGrainsModuleRunsThroughThePythonWorker(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fakeworker")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", fake, "./testdata/fakeworker")
	build.Dir = filepath.Dir(file)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the fake worker: %v\n%s", err, out)
	}
	files := filepath.Join(t.TempDir(), "files")
	writeFiles(t, files, map[string]string{
		"base/_grains/roles.py": "def roles():\n    return {\"roles\": \"web\", \"deploy\": \"blue\"}\n",
	})
	c := newCluster(t, true, rootsConf("file_roots", files))
	c.addMinion("m1", "python_fallback: true\npython_fallback_python: "+fake+"\ngrains:\n  deploy: green\n")
	c.waitReady("m1")

	if got := c.jsonOf("m1", "grains.get", "roles")["m1"]; got != "" {
		t.Errorf("grains.get roles before the sync = %#v", got)
	}
	if got := c.jsonOf("m1", "saltutil.sync_grains")["m1"]; !reflect.DeepEqual(got, []any{"grains.roles"}) {
		t.Errorf("saltutil.sync_grains = %#v", got)
	}
	if got := c.jsonOf("m1", "grains.item", "roles", "deploy")["m1"]; !reflect.DeepEqual(got, map[string]any{"roles": "web", "deploy": "green"}) {
		t.Errorf("grains.item roles deploy after the sync = %#v", got)
	}
	if got := c.jsonOf("-G", "roles:web", "test.ping"); !reflect.DeepEqual(got, map[string]any{"m1": true}) {
		t.Errorf("-G roles:web test.ping = %#v", got)
	}
}

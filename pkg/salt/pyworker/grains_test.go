package pyworker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// CustomGrains sends the core grains in a grains frame and reads back the
// grains the worker merged, with the modules it ran.
func TestCustomGrains(t *testing.T) {
	w, _ := newFake(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	core := map[string]any{"os": "Debian", "id": "web1", "custom": "core's"}
	g, mods, err := w.CustomGrains(ctx, core)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"os": "Debian", "id": "web1", "custom": "yes", "seen_os": "Debian"}
	if !reflect.DeepEqual(g, want) || !reflect.DeepEqual(mods, []string{"fake"}) {
		t.Errorf("CustomGrains = %#v, %v", g, mods)
	}
	if core["custom"] != "core's" {
		t.Error("CustomGrains changed the core grains it was given")
	}
}

// Without Python Salt (the worker cannot start) there are no custom
// grains, and an error says why.
func TestCustomGrainsWithoutSalt(t *testing.T) {
	w, _ := newFake(t, Config{ID: "nosalt", Optional: true})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if g, _, err := w.CustomGrains(ctx, map[string]any{"os": "Debian"}); err == nil || g != nil {
		t.Errorf("CustomGrains without Salt = %v, %v", g, err)
	}
}

// TestRealSaltGrains runs grains modules through Python Salt's loader, by
// hand as TestRealSalt (SALTRAET_TEST_SALT_PYTHON): public functions only,
// grains= given the grains so far, __virtual__ honoured, a function that
// raises or returns no dict skipped.
func TestRealSaltGrains(t *testing.T) {
	py := os.Getenv("SALTRAET_TEST_SALT_PYTHON")
	if py == "" {
		t.Skip("SALTRAET_TEST_SALT_PYTHON is not set: no Python Salt to run")
	}
	root := t.TempDir()
	conf := filepath.Join(root, "minion")
	cachedir := filepath.Join(root, "cache")
	ext := filepath.Join(cachedir, "extmods")
	os.WriteFile(conf, []byte("id: web1\nfile_client: local\ncachedir: "+cachedir+"\npki_dir: "+root+"/pki\n"), 0o600)
	os.MkdirAll(filepath.Join(ext, "grains"), 0o700)
	os.WriteFile(filepath.Join(ext, "grains", "roles.py"), []byte(rolesGrains), 0o600)
	os.WriteFile(filepath.Join(ext, "grains", "off.py"), []byte("def __virtual__():\n    return False\n\ndef off():\n    return {'off': True}\n"), 0o600)
	log := logrus.New()
	log.SetLevel(logrus.DebugLevel)
	w := New(Config{Python: py, ID: "web1", ConfFile: conf, ExtensionModules: ext, Log: log,
		Opts: body.Map{{Key: "cachedir", Value: cachedir}}})
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g, mods, err := w.CustomGrains(ctx, map[string]any{"id": "web1", "os": "Debian", "kernel": "Linux"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "web1", "os": "CustomOS", "kernel": "Linux", "roles": []any{"web", "db"}, "saw_kernel": "Linux"}
	if !reflect.DeepEqual(g, want) || !reflect.DeepEqual(mods, []string{"roles"}) {
		t.Errorf("CustomGrains = %#v, %v", g, mods)
	}
}

const rolesGrains = `
def roles():
    return {"roles": ["web", "db"], "os": "CustomOS"}

def _private():
    return {"private": True}

def seen(grains):
    return {"saw_kernel": grains.get("kernel")}

def broken():
    raise RuntimeError("boom")

def not_a_dict():
    return "nope"
`

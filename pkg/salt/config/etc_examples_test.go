package config

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The example files in etc/salt load, and say transport: raet.
func TestExampleConfigsLoad(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "etc", "salt")
	if _, err := os.Stat(filepath.Join(dir, "master")); err != nil {
		t.Fatal(err)
	}
	l := Loader{Hostname: func() (string, error) { return "saltmaster.example.com", nil }}
	m, err := l.LoadMaster(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := l.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Transport != "raet" || n.Transport != "raet" || m.RaetPort != 4506 || n.RaetPort != 4510 {
		t.Errorf("master %s %d, minion %s %d", m.Transport, m.RaetPort, n.Transport, n.RaetPort)
	}
}

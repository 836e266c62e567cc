package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// metrics_port is off by default on both daemons; set, it listens on
// 127.0.0.1 unless metrics_interface says otherwise.
func TestMetricsOptions(t *testing.T) {
	if m := masterConf(t, "id: m\n"); m.MetricsAddr() != "" || m.MetricsInterface != "127.0.0.1" {
		t.Errorf("master default: %q, interface %q", m.MetricsAddr(), m.MetricsInterface)
	}
	if m := minionConf(t, "id: n\n"); m.MetricsAddr() != "" {
		t.Errorf("minion default: %q", m.MetricsAddr())
	}
	if got := masterConf(t, "id: m\nmetrics_port: 9216\n").MetricsAddr(); got != "127.0.0.1:9216" {
		t.Errorf("master: %q", got)
	}
	if got := minionConf(t, "id: n\nmetrics_port: '9217'\nmetrics_interface: '::1'\n").MetricsAddr(); got != "[::1]:9217" {
		t.Errorf("minion: %q", got)
	}
}

// A port out of range is refused naming the file, the line and the option.
func TestMetricsPortRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "id: m\nmetrics_port: 70000\n")
	_, err := testLoader.LoadMaster(dir)
	if err == nil || !strings.Contains(err.Error(), "metrics_port") || !strings.Contains(err.Error(), "master:2:") {
		t.Fatalf("error %v", err)
	}
}

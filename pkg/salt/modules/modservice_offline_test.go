package modules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Where systemctl is installed but systemd does not run (these
// containers), Salt 3006.3 still loads systemd_service's show, and
// `salt-call --local service.show cron` answers systemctl's complaint as
// properties: {"System has not been booted ... Can't operate.": "",
// "Failed to connect to bus: Host is down": ""}.
func TestServiceShowOffline(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"System has not been booted with systemd as init system (PID 1). Can't operate.\" >&2\n" +
		"echo 'Failed to connect to bus: Host is down' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	prev := serviceBooted
	serviceBooted = func() bool { return false }
	t.Cleanup(func() { serviceBooted = prev })
	e := New(Options{})
	wantOK(t, run(e, "service.show", "cron"), body.Map{
		{Key: "System has not been booted with systemd as init system (PID 1). Can't operate.", Value: ""},
		{Key: "Failed to connect to bus: Host is down", Value: ""},
	})

	t.Setenv("PATH", t.TempDir())
	if New(Options{}).Has("service.show") {
		t.Error("service.show without systemd or systemctl")
	}
}

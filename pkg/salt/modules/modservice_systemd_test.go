package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The systemd path, which these containers cannot run: the module is
// built as on a host where systemd runs (serviceBooted), against a fake
// systemctl on PATH that answers for one unit.
func TestServiceSystemd(t *testing.T) {
	fakes, err := filepath.Abs("testdata/fakesystemd")
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	t.Setenv("PATH", fakes+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKESYSTEMD", state)
	prev := serviceBooted
	serviceBooted = func() bool { return true }
	t.Cleanup(func() { serviceBooted = prev })
	e := New(Options{})

	wantOK(t, run(e, "service.available", "demo"), true)
	wantOK(t, run(e, "service.status", "demo"), false)
	wantOK(t, run(e, "service.start", "demo", kw("no_block", true)), true)
	wantOK(t, run(e, "service.status", "demo"), true)
	wantOK(t, run(e, "service.get_running"), []any{"demo"})
	wantOK(t, run(e, "service.get_all"), []any{"demo", "other", "sockets.target"})
	wantOK(t, run(e, "service.get_enabled"), []any{"demo"})
	wantOK(t, run(e, "service.enabled", "demo"), true)
	pkgtestWant(t, run(e, "service.show", "demo"), `{"Id":"demo.service","Names":"demo.service","After":["basic.target","network.target"],"Wants":["network.target"],`+
		`"ExecStart":{"path":"/usr/bin/demo","argv[]":"/usr/bin/demo --flag","ignore_errors":"no","start_time":"[n/a]","status":"0/0"},"Description":"The demo","Environment":"A=1 B=2"}`)
	wantOK(t, run(e, "service.stop", "demo"), true)
	wantOK(t, run(e, "service.status", "demo"), false)
	log, _ := os.ReadFile(filepath.Join(state, "log"))
	if !strings.Contains(string(log), "systemctl start demo.service\n") {
		t.Errorf("systemctl ran:\n%s", log)
	}
}

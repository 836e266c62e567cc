package modules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
)

// servicetestName is the throwaway sysvinit service the service tests
// install in /etc/init.d and remove.
const servicetestName = "saltraet-t-svc"

// servicetestScript installs an init script that keeps its state in a
// file of a temp dir: start creates it, stop removes it, status tests it,
// reload counts. It is removed, rc links included, when the test ends.
func servicetestScript(t *testing.T) (state string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installs an init script in /etc/init.d: needs root")
	}
	if serviceBooted() {
		t.Skip("systemd runs here: the sysvinit path is not the one the service module takes")
	}
	for _, tool := range []string{"service", "update-rc.d"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	testutil.LockSystem(t)
	state = filepath.Join(t.TempDir(), "running")
	script := fmt.Sprintf(`#!/bin/sh
### BEGIN INIT INFO
# Provides:          %[1]s
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: throwaway service of the Salt RAET tests
### END INIT INFO
case "$1" in
  start) touch %[2]s ;;
  stop) rm -f %[2]s ;;
  restart) touch %[2]s ;;
  reload) echo reload >> %[2]s.reloads ;;
  status) test -f %[2]s ;;
  *) exit 3 ;;
esac
`, servicetestName, state)
	path := "/etc/init.d/" + servicetestName
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("update-rc.d", "-f", servicetestName, "remove").Run()
		os.Remove(path)
	})
	return state
}

// The sysvinit path (systemd does not run in these containers, so the
// systemd path is exercised only where it does): service(8) runs the
// test's init script, update-rc.d makes its rc links.
func TestServiceSysvinit(t *testing.T) {
	state := servicetestScript(t)
	e := New(Options{})
	n := servicetestName
	wantOK(t, run(e, "service.available", n), true)
	wantOK(t, run(e, "service.missing", n), false)
	wantOK(t, run(e, "service.available", "saltraet-t-nope"), false)
	wantOK(t, run(e, "service.status", n), false)
	wantOK(t, run(e, "service.start", n), true)
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("service.start did not run the script's start: %v", err)
	}
	wantOK(t, run(e, "service.status", n), true)
	if got := jsonOf(t, run(e, "service.status", "saltraet-t-sv*").Return); got != `{"`+n+`":true}` {
		t.Errorf("status of a glob: %s", got)
	}
	if !servicetestHas(run(e, "service.get_running").Return, n) || !servicetestHas(run(e, "service.get_all").Return, n) {
		t.Errorf("get_running or get_all lacks %s", n)
	}
	wantOK(t, run(e, "service.reload", n), true)
	if data, _ := os.ReadFile(state + ".reloads"); string(data) != "reload\n" {
		t.Errorf("reload ran the script %q times", data)
	}
	wantOK(t, run(e, "service.restart", n), true)
	wantOK(t, run(e, "service.stop", n), true)
	wantOK(t, run(e, "service.status", n), false)
	wantOK(t, run(e, "service.force_reload", n), false) // the script exits 3

	wantOK(t, run(e, "service.enabled", n), false)
	wantOK(t, run(e, "service.disabled", n), true)
	if out, err := exec.Command("update-rc.d", n, "defaults").CombinedOutput(); err != nil {
		t.Fatalf("update-rc.d defaults: %v\n%s", err, out)
	}
	wantOK(t, run(e, "service.enabled", n), true)
	if !servicetestHas(run(e, "service.get_enabled").Return, n) || servicetestHas(run(e, "service.get_disabled").Return, n) {
		t.Errorf("get_enabled/get_disabled disagree with the S links of %s", n)
	}
	wantOK(t, run(e, "service.disable", n), true)
	wantOK(t, run(e, "service.enabled", n), false)
	// enable is debian_service's "insserv NAME && update-rc.d NAME enable":
	// without insserv it fails, as it does for Salt.
	_, err := exec.LookPath("insserv")
	wantOK(t, run(e, "service.enable", n), err == nil)
	wantOK(t, run(e, "service.enabled", n), err == nil)
	if _, err := exec.LookPath("systemctl"); e.Has("service.show") != (err == nil) {
		t.Errorf("service.show is systemd_service's, loaded offline where systemctl is installed: has %v", e.Has("service.show"))
	}
}

func servicetestHas(list any, s string) bool {
	l, _ := list.([]any)
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

package states

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSysv is a machine without systemd: service(8) runs init scripts
// that only keep a running flag, update-rc.d makes the rc links.
type fakeSysv struct {
	etc     string
	running map[string]bool
	cmds    []string
}

func (f *fakeSysv) run(_ context.Context, argv []string, _ []string) (string, string, int, error) {
	f.cmds = append(f.cmds, strings.Join(argv, " "))
	rc := func(b bool) int {
		if b {
			return 0
		}
		return 1
	}
	switch argv[0] {
	case "runlevel":
		return "unknown\n", "", 0, nil
	case "service":
		switch argv[2] {
		case "status":
			return "", "", rc(f.running[argv[1]]), nil
		case "start", "restart":
			f.running[argv[1]] = true
		case "stop":
			f.running[argv[1]] = false
		}
		return "", "", 0, nil
	case "update-rc.d":
		os.Remove(filepath.Join(f.etc, "rc2.d", "S01"+argv[1]))
		return "", "", 0, nil
	case "/bin/sh": // insserv NAME && update-rc.d NAME enable
		name := strings.Fields(argv[2])[1]
		os.MkdirAll(filepath.Join(f.etc, "rc2.d"), 0o755)
		os.Symlink("../init.d/"+name, filepath.Join(f.etc, "rc2.d", "S01"+name))
		return "", "", 0, nil
	}
	return "", "", 127, nil
}

func withFakeSysv(t *testing.T) *fakeSysv {
	f := &fakeSysv{etc: t.TempDir(), running: map[string]bool{}}
	os.MkdirAll(filepath.Join(f.etc, "init.d"), 0o755)
	os.WriteFile(filepath.Join(f.etc, "init.d", "demo"), []byte("#!/bin/sh\n"), 0o755)
	prevRun, prevEtc, prevBooted := serviceRunner, etcRoot, systemdBooted
	serviceRunner, etcRoot, systemdBooted = f.run, f.etc, func() bool { return false }
	t.Cleanup(func() { serviceRunner, etcRoot, systemdBooted = prevRun, prevEtc, prevBooted })
	return f
}

func TestServiceSysvinit(t *testing.T) {
	f := withFakeSysv(t)
	env := testEnv()
	wantRet(t, run(t, env, "service.running", "demo", nil, true), "None", "Service demo is set to start", "{}")
	wantRet(t, run(t, env, "service.running", "demo", nil, false), "True", "Started service demo", `{"demo":true}`)
	if f.cmds[len(f.cmds)-3] != "service demo start" {
		t.Errorf("commands %q", f.cmds)
	}
	wantRet(t, run(t, env, "service.running", "demo", nil, false), "True", "The service demo is already running", "{}")
	wantRet(t, run(t, env, "service.enabled", "demo", nil, false), "True", "Service demo has been enabled, and is in the desired state", `{"demo":true}`)
	wantRet(t, run(t, env, "service.enabled", "demo", nil, false), "True", "Service demo is already enabled, and is in the desired state", "{}")
	wantRet(t, run(t, env, "service.dead", "demo", nil, true), "None", "Service demo is set to be killed", "{}")
	wantRet(t, run(t, env, "service.dead", "demo", nil, false), "True", "Service demo was killed", `{"demo":false}`)
	wantRet(t, run(t, env, "service.disabled", "demo", nil, false), "True", "Service demo has been disabled, and is in the desired state", `{"demo":true}`)
	wantRet(t, run(t, env, "service.running", "nope", nil, false), "False", "The named service nope is not available", "{}")
	wantRet(t, run(t, env, "service.running", "nope", nil, true), "None",
		"Service nope not present; if created in this state run, it would have been started", "{}")

	// A watch on a running service restarts it; on a stopped one starts it.
	wantRet(t, callLow(t, env, "service.mod_watch", lowFor("service", "running", "demo"), false), "True", "Service started", `{"demo":true}`)
	wantRet(t, callLow(t, env, "service.mod_watch", lowFor("service", "running", "demo"), false), "True", "Service restarted", `{"demo":true}`)
	if last := f.cmds[len(f.cmds)-1]; last != "service demo restart" {
		t.Errorf("watch ran %q", last)
	}
	wantRet(t, callLow(t, env, "service.mod_watch", lowFor("service", "enabled", "demo"), false), "False", "Unable to trigger watch for service.enabled", "{}")
}

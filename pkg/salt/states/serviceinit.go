package states

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The init systems the service states drive: systemd when it is running
// (salt/modules/systemd_service.py), else Debian's sysvinit scripts
// through service(8) and update-rc.d (salt/modules/debian_service.py).

// initSystem is what the service states ask of one.
type initSystem interface {
	available(ctx context.Context, name string) bool
	status(ctx context.Context, name string) bool
	// do runs start, stop, restart or reload; false when it failed.
	do(ctx context.Context, verb, name string) bool
	enabled(ctx context.Context, name string) bool
	disabled(ctx context.Context, name string) bool
	enable(ctx context.Context, name string) bool
	disable(ctx context.Context, name string) bool
}

// serviceRunner runs the init system's commands; tests replace it.
var serviceRunner runner = execRunner

// etcRoot is where the init scripts and rc directories are.
var etcRoot = "/etc"

// systemdBooted is salt.utils.systemd.booted: /run/systemd/system exists.
var systemdBooted = func() bool {
	st, err := os.Stat("/run/systemd/system")
	return err == nil && st.IsDir()
}

// newInitSystem picks the init system of this machine.
func newInitSystem() initSystem {
	if systemdBooted() {
		return systemd{run: serviceRunner}
	}
	return sysv{run: serviceRunner, etc: etcRoot}
}

// ok runs a command and reports whether it exited 0.
func ok(ctx context.Context, run runner, argv ...string) bool {
	_, _, rc, err := run(ctx, argv, nil)
	return err == nil && rc == 0
}

// sysv is debian_service.
type sysv struct {
	run runner
	etc string
}

func (s sysv) runlevel(ctx context.Context) string {
	out, _, _, err := s.run(ctx, []string{"runlevel"}, nil)
	f := strings.Fields(out)
	if err != nil || strings.Contains(out, "unknown") || len(f) < 2 {
		return "2"
	}
	return f[1]
}

var digits = regexp.MustCompile(`\d+`)

// getEnabled is the services with a start link in rcS.d or the runlevel's.
func (s sysv) getEnabled(ctx context.Context) []string {
	rl := s.runlevel(ctx)
	var out []string
	for _, d := range []string{"S", rl} {
		links, _ := filepath.Glob(filepath.Join(s.etc, "rc"+d+".d", "S*"))
		for _, l := range links {
			parts := digits.Split(filepath.Base(l), -1)
			if n := parts[len(parts)-1]; !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// getAll is the init scripts and the enabled services.
func (s sysv) getAll(ctx context.Context) []string {
	scripts, _ := filepath.Glob(filepath.Join(s.etc, "init.d", "*"))
	out := s.getEnabled(ctx)
	for _, p := range scripts {
		if n := filepath.Base(p); n != "README" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func (s sysv) available(ctx context.Context, name string) bool {
	return slices.Contains(s.getAll(ctx), name)
}

func (s sysv) status(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "service", name, "status")
}

func (s sysv) do(ctx context.Context, verb, name string) bool {
	return ok(ctx, s.run, "service", name, verb)
}

func (s sysv) enabled(ctx context.Context, name string) bool {
	return slices.Contains(s.getEnabled(ctx), name)
}

func (s sysv) disabled(ctx context.Context, name string) bool {
	return s.available(ctx, name) && !s.enabled(ctx, name)
}

func (s sysv) enable(ctx context.Context, name string) bool {
	q := shellQuote(name)
	return ok(ctx, s.run, "/bin/sh", "-c", "insserv "+q+" && update-rc.d "+q+" enable")
}

func (s sysv) disable(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "update-rc.d", name, "disable")
}

// systemd is systemd_service for a booted systemd.
type systemd struct{ run runner }

func unit(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return name + ".service"
}

func (s systemd) available(ctx context.Context, name string) bool {
	out, _, _, err := s.run(ctx, []string{"systemctl", "list-unit-files", "--no-legend", unit(name)}, nil)
	return err == nil && strings.TrimSpace(out) != "" || ok(ctx, s.run, "systemctl", "cat", unit(name))
}

func (s systemd) status(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "systemctl", "is-active", "--quiet", unit(name))
}

func (s systemd) do(ctx context.Context, verb, name string) bool {
	return ok(ctx, s.run, "systemctl", verb, unit(name))
}

func (s systemd) enabled(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "systemctl", "is-enabled", "--quiet", unit(name))
}

func (s systemd) disabled(ctx context.Context, name string) bool { return !s.enabled(ctx, name) }

func (s systemd) enable(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "systemctl", "enable", unit(name))
}

func (s systemd) disable(ctx context.Context, name string) bool {
	return ok(ctx, s.run, "systemctl", "disable", unit(name))
}

// Package initsys drives the minion's init system as Salt's service
// module does: systemd when it is running (salt/modules/systemd_service.py),
// else Debian's sysvinit scripts through service(8) and update-rc.d
// (salt/modules/debian_service.py). The service execution module and the
// service states share it.
package initsys

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// System is what the service module and states ask of an init system.
type System interface {
	Available(ctx context.Context, name string) bool
	Status(ctx context.Context, name string) bool
	// Do runs start, stop, restart or reload; false when it failed.
	Do(ctx context.Context, verb, name string) bool
	Enabled(ctx context.Context, name string) bool
	Disabled(ctx context.Context, name string) bool
	Enable(ctx context.Context, name string) bool
	Disable(ctx context.Context, name string) bool
	// GetAll is every service it knows, sorted.
	GetAll(ctx context.Context) []string
	// GetEnabled is the services started at boot, sorted.
	GetEnabled(ctx context.Context) []string
	// GetRunning is the services running now, sorted.
	GetRunning(ctx context.Context) []string
}

// Booted is salt.utils.systemd.booted: /run/systemd/system exists.
func Booted() bool {
	st, err := os.Stat("/run/systemd/system")
	return err == nil && st.IsDir()
}

// New picks the init system: systemd when booted says it runs, else
// sysvinit with its scripts and rc directories under etc ("/etc").
func New(run sysexec.Runner, etc string, booted bool) System {
	if booted {
		return Systemd{Run: run}
	}
	return Sysv{Run: run, Etc: etc}
}

// Sysv is debian_service.
type Sysv struct {
	Run sysexec.Runner
	Etc string
}

func (s Sysv) runlevel(ctx context.Context) string {
	out, _, _, err := s.Run(ctx, []string{"runlevel"}, nil)
	f := strings.Fields(out)
	if err != nil || strings.Contains(out, "unknown") || len(f) < 2 {
		return "2"
	}
	return f[1]
}

var digits = regexp.MustCompile(`\d+`)

// GetEnabled is the services with a start link in rcS.d or the runlevel's.
func (s Sysv) GetEnabled(ctx context.Context) []string {
	rl := s.runlevel(ctx)
	var out []string
	for _, d := range []string{"S", rl} {
		links, _ := filepath.Glob(filepath.Join(s.Etc, "rc"+d+".d", "S*"))
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

// GetAll is the init scripts and the enabled services.
func (s Sysv) GetAll(ctx context.Context) []string {
	scripts, _ := filepath.Glob(filepath.Join(s.Etc, "init.d", "*"))
	out := s.GetEnabled(ctx)
	for _, p := range scripts {
		if n := filepath.Base(p); n != "README" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func (s Sysv) Available(ctx context.Context, name string) bool {
	return slices.Contains(s.GetAll(ctx), name)
}

func (s Sysv) Status(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "service", name, "status")
}

func (s Sysv) Do(ctx context.Context, verb, name string) bool {
	return sysexec.OK(ctx, s.Run, "service", name, verb)
}

func (s Sysv) Enabled(ctx context.Context, name string) bool {
	return slices.Contains(s.GetEnabled(ctx), name)
}

func (s Sysv) Disabled(ctx context.Context, name string) bool {
	return s.Available(ctx, name) && !s.Enabled(ctx, name)
}

func (s Sysv) Enable(ctx context.Context, name string) bool {
	q := py.ShlexQuote(name)
	return sysexec.OK(ctx, s.Run, "/bin/sh", "-c", "insserv "+q+" && update-rc.d "+q+" enable")
}

func (s Sysv) Disable(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "update-rc.d", name, "disable")
}

// Systemd is systemd_service for a booted systemd.
type Systemd struct{ Run sysexec.Runner }

func unit(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return name + ".service"
}

func (s Systemd) Available(ctx context.Context, name string) bool {
	out, _, _, err := s.Run(ctx, []string{"systemctl", "list-unit-files", "--no-legend", unit(name)}, nil)
	return err == nil && strings.TrimSpace(out) != "" || sysexec.OK(ctx, s.Run, "systemctl", "cat", unit(name))
}

func (s Systemd) Status(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "systemctl", "is-active", "--quiet", unit(name))
}

func (s Systemd) Do(ctx context.Context, verb, name string) bool {
	return sysexec.OK(ctx, s.Run, "systemctl", verb, unit(name))
}

func (s Systemd) Enabled(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "systemctl", "is-enabled", "--quiet", unit(name))
}

func (s Systemd) Disabled(ctx context.Context, name string) bool { return !s.Enabled(ctx, name) }

func (s Systemd) Enable(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "systemctl", "enable", unit(name))
}

func (s Systemd) Disable(ctx context.Context, name string) bool {
	return sysexec.OK(ctx, s.Run, "systemctl", "disable", unit(name))
}

// unitFiles is `systemctl list-unit-files`: unit name → state, a
// service named without its .service suffix as Salt names it.
func (s Systemd) unitFiles(ctx context.Context) map[string]string {
	out, _, _, err := s.Run(ctx, []string{"systemctl", "list-unit-files", "--full", "--no-legend", "--no-pager"}, nil)
	units := map[string]string{}
	if err != nil {
		return units
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		units[strings.TrimSuffix(f[0], ".service")] = f[1]
	}
	return units
}

// GetAll is systemd_service.get_all: every unit file systemd knows.
func (s Systemd) GetAll(ctx context.Context) []string { return s.unitsIn(ctx, "") }

// GetEnabled is systemd_service.get_enabled: the unit files whose state
// is enabled.
func (s Systemd) GetEnabled(ctx context.Context) []string { return s.unitsIn(ctx, "enabled") }

// unitsIn is the unit files in state ("" for any), sorted.
func (s Systemd) unitsIn(ctx context.Context, state string) []string {
	var out []string
	for name, st := range s.unitFiles(ctx) {
		if state == "" || st == state {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// GetRunning is the services whose status says they run; Salt's
// debian_service has no get_running, this is the answer it would give.
func (s Sysv) GetRunning(ctx context.Context) []string {
	var out []string
	for _, name := range s.GetAll(ctx) {
		if s.Status(ctx, name) {
			out = append(out, name)
		}
	}
	return out
}

// GetRunning is systemd_service.get_running: the units systemctl lists
// as running, services without their .service suffix.
func (s Systemd) GetRunning(ctx context.Context) []string {
	out, _, _, _ := s.Run(ctx, []string{"systemctl", "--full", "--no-legend", "--no-pager"}, nil)
	set := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[3] != "running" || !strings.Contains(f[0], ".") {
			continue
		}
		set[strings.TrimSuffix(f[0], ".service")] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Package pkgmgr drives the minion's package manager as Salt's pkg virtual
// module does (salt/modules/aptpkg.py on Debian, yumpkg.py with dnf on
// RedHat): what is installed, install, remove, upgrade. The pkg execution
// module and the pkg states share it.
package pkgmgr

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// Manager is what the pkg module and states ask of a package manager.
type Manager interface {
	// ListPkgs is pkg.list_pkgs: name → version installed (with
	// removed, those removed with their configuration left).
	ListPkgs(ctx context.Context, removed bool) (map[string]string, error)
	// Target is how Install names a package asked for.
	Target(t Target, sources bool) string
	// Install installs targets with the manager's options opts; the
	// manager's complaints come back as errors, a failure to run it as
	// err.
	Install(ctx context.Context, opts, targets []string) ([]string, error)
	// InstallFailed is the message of an install that returned errors.
	InstallFailed(errs []string) string
	// Uninstall removes (action "remove") or purges names; complaints
	// come back as errors, as for Install.
	Uninstall(ctx context.Context, action string, names []string) ([]string, error)
	// Failed is the message the module raises when the manager
	// complained while doing what ("installing", "removing").
	Failed(what string) string
	LatestVersion(ctx context.Context, name string) (string, error)
	Upgradable(ctx context.Context, dist bool) (map[string]string, error)
	// Upgrade is pkg.upgrade of everything, or of only.
	Upgrade(ctx context.Context, dist bool, only []string) error
	// KeepsConfig is whether removed packages keep their configuration
	// (dpkg's "rc"), which purge then removes and reports apart.
	KeepsConfig() bool
	// Refresh is pkg.refresh_db (refresh: True); list_upgrades asks
	// yum for no check-update (checkUpdate false).
	Refresh(ctx context.Context, checkUpdate bool) error
}

// ForGrains is the package manager Salt's pkg module would be on a minion
// with these os_family and osarch grains: yumpkg (dnf) on RedHat, else
// aptpkg.
func ForGrains(osFamily, osarch string, run sysexec.Runner) Manager {
	if osFamily == "RedHat" {
		return Dnf{Run: run, OSArch: osarch}
	}
	return Apt{Run: run}
}

// Target is one package asked for: its name, the version wanted ("" for
// any) and, for sources, the package file to install it from.
type Target struct{ Name, Version, Source string }

// Desired is _get_desired_pkg: "name" or "name=version".
func (t Target) Desired() string {
	if t.Version == "" {
		return t.Name
	}
	return t.Name + "=" + t.Version
}

func (a Apt) KeepsConfig() bool { return true }

func (a Apt) Target(t Target, sources bool) string {
	if sources {
		return t.Source
	}
	return t.Desired()
}

// Upgrade is aptpkg.upgrade's apt-get run.
func (a Apt) Upgrade(ctx context.Context, dist bool, _ []string) error {
	verb := "upgrade"
	if dist {
		verb = "dist-upgrade"
	}
	argv := []string{"apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold", "-o", "DPkg::Options::=--force-confdef", verb}
	_, _, _, err := a.Run(ctx, argv, DpkgEnv)
	return err
}

// Refresh is aptpkg.refresh_db as the states use it: apt-get -q update,
// whose failing repos are no error unless failhard is asked for (it is
// not here).
func (a Apt) Refresh(ctx context.Context, _ bool) error {
	_, _, _, err := a.Run(ctx, []string{"apt-get", "-q", "update"}, DpkgEnv)
	return err
}

// Failed is aptpkg's "Problem encountered installing package(s)".
func (a Apt) Failed(what string) string { return "Problem encountered " + what + " package(s)" }

func (a Apt) InstallFailed(errs []string) string {
	return "Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - " + strings.Join(errs, "\n    - ")
}

// ErrorsInfo is a CommandExecutionError's message with its errors, as
// Salt's strerror_without_changes prints them.
func ErrorsInfo(msg string, errs []string) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = strings.ReplaceAll(e, "\n", "\n      ") // YAML's indent of a multi-line item
	}
	return fmt.Sprintf("%s. Additional info follows:\n\nerrors:\n    - %s", msg, strings.Join(lines, "\n    - "))
}

// LatestVersions is pkg.latest_version of names: one query for them all
// where the manager makes one (yumpkg), else one a name.
func LatestVersions(ctx context.Context, be Manager, names []string) (map[string]string, error) {
	if b, ok := be.(interface {
		LatestVersions(context.Context, []string) (map[string]string, error)
	}); ok {
		return b.LatestVersions(ctx, names)
	}
	out := map[string]string{}
	for _, n := range names {
		v, err := be.LatestVersion(ctx, n)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

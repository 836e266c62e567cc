package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/state"
)

// pkgManager is what the pkg states ask of the minion's package manager
// (Salt's pkg virtual module: aptpkg on Debian, yumpkg on RedHat).
type pkgManager interface {
	// listPkgs is pkg.list_pkgs: name → version installed (with
	// removed, those removed with their configuration left).
	listPkgs(ctx context.Context, removed bool) (map[string]string, error)
	// target is how install names a package asked for.
	target(t pkgTarget, sources bool) string
	// install installs targets; the manager's complaints come back as
	// errors, a failure to run it as err.
	install(ctx context.Context, targets []string) ([]string, error)
	// installFailed is the comment of pkg.installed when install
	// returned errors.
	installFailed(errs []string) string
	uninstall(ctx context.Context, action string, names []string) error
	latestVersion(ctx context.Context, name string) (string, error)
	upgradable(ctx context.Context, dist bool) (map[string]string, error)
	// upgrade is pkg.upgrade of everything, or of only.
	upgrade(ctx context.Context, dist bool, only []string) error
	// keepsConfig is whether removed packages keep their configuration
	// (dpkg's "rc"), which purge then removes and reports apart.
	keepsConfig() bool
	// refresh is pkg.refresh_db (refresh: True); list_upgrades asks
	// yum for no check-update (checkUpdate false).
	refresh(ctx context.Context, checkUpdate bool) error
}

// pkgBackend is the package manager Salt's pkg module would be on this
// minion, picked as Salt does by the os_family grain.
func pkgBackend(c *state.Call) pkgManager {
	if c.Env != nil && pyStr(c.Env.Grains["os_family"]) == "RedHat" {
		return dnf{run: aptRunner, osarch: pyStr(c.Env.Grains["osarch"])}
	}
	return apt{run: aptRunner}
}

// refreshFirst runs pkg.refresh_db when the state asks for refresh: True
// (Salt's pkg.install/latest_version/list_upgrades refresh=True).
func refreshFirst(ctx context.Context, c *state.Call, be pkgManager) error {
	if !argsOf(c).isTrue("refresh") {
		return nil
	}
	return be.refresh(ctx, true)
}

func (a apt) keepsConfig() bool { return true }

func (a apt) target(t pkgTarget, sources bool) string {
	if sources {
		return t.source
	}
	return t.desired()
}

// upgrade is aptpkg.upgrade's apt-get run.
func (a apt) upgrade(ctx context.Context, dist bool, _ []string) error {
	verb := "upgrade"
	if dist {
		verb = "dist-upgrade"
	}
	argv := []string{"apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold", "-o", "DPkg::Options::=--force-confdef", verb}
	_, _, _, err := a.run(ctx, argv, dpkgEnv)
	return err
}

// refresh is aptpkg.refresh_db: apt-get -q update, whose failing repos
// are no error unless failhard is asked for (it is not here).
func (a apt) refresh(ctx context.Context, _ bool) error {
	_, _, _, err := a.run(ctx, []string{"apt-get", "-q", "update"}, dpkgEnv)
	return err
}

func (a apt) installFailed(errs []string) string {
	return "Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - " + strings.Join(errs, "\n    - ")
}

// errorsInfo is a CommandExecutionError's message with its errors, as
// Salt's strerror_without_changes prints them.
func errorsInfo(msg string, errs []string) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = strings.ReplaceAll(e, "\n", "\n      ") // YAML's indent of a multi-line item
	}
	return fmt.Sprintf("%s. Additional info follows:\n\nerrors:\n    - %s", msg, strings.Join(lines, "\n    - "))
}

// latestVersions is pkg.latest_version of names: one query for them all
// where the manager makes one (yumpkg), else one a name.
func latestVersions(ctx context.Context, be pkgManager, names []string) (map[string]string, error) {
	if b, ok := be.(interface {
		latestVersions(context.Context, []string) (map[string]string, error)
	}); ok {
		return b.latestVersions(ctx, names)
	}
	out := map[string]string{}
	for _, n := range names {
		v, err := be.latestVersion(ctx, n)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

package states

import (
	"context"

	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// pkgManager is what the pkg states ask of the minion's package manager
// (Salt's pkg virtual module: aptpkg on Debian, yumpkg on RedHat).
type pkgManager = pkgmgr.Manager

// pkgTarget is one package asked for (pkgmgr.Target).
type pkgTarget = pkgmgr.Target

// runner runs a command (sysexec.Runner); tests replace the runners.
type runner = sysexec.Runner

// execRunner runs commands on this machine.
var execRunner runner = sysexec.Exec

// aptRunner is the runner the pkg states use; tests replace it.
var aptRunner runner = execRunner

// dpkgEnv is aptpkg's DPKG_ENV_VARS.
var dpkgEnv = pkgmgr.DpkgEnv

// compareDicts is salt.utils.data.compare_dicts of two package lists.
var compareDicts = pkgmgr.CompareDicts

// rpmVerCmp compares rpm versions as rpmvercmp does.
var rpmVerCmp = pkgmgr.RpmVerCmp

// pkgBackend is the package manager Salt's pkg module would be on this
// minion, picked as Salt does by the os_family grain.
func pkgBackend(c *state.Call) pkgManager {
	if c.Env == nil {
		return pkgmgr.ForGrains("", "", aptRunner)
	}
	return pkgmgr.ForGrains(pyStr(c.Env.Grains["os_family"]), pyStr(c.Env.Grains["osarch"]), aptRunner)
}

// refreshFirst runs pkg.refresh_db when the state asks for refresh: True
// (Salt's pkg.install/latest_version/list_upgrades refresh=True).
func refreshFirst(ctx context.Context, c *state.Call, be pkgManager) error {
	if !argsOf(c).isTrue("refresh") {
		return nil
	}
	return be.Refresh(ctx, true)
}

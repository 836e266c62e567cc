package modules

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
)

// The pkg functions that install, remove and upgrade. Each returns Salt's
// salt.utils.data.compare_dicts of the package lists before and after:
// {name: {old, new}}.
func pkgChangeFuncs() []Func {
	targets := []Param{{Name: "name"}, {Name: "pkgs"}}
	return []Func{
		{
			Name: "pkg.install",
			Params: []Param{{Name: "name"}, {Name: "refresh", Default: false}, {Name: "fromrepo"}, {Name: "skip_verify", Default: false},
				{Name: "debconf"}, {Name: "pkgs"}, {Name: "sources"}, {Name: "reinstall", Default: false}, {Name: "downloadonly", Default: false},
				{Name: "ignore_epoch", Default: false}},
			VarKwargs: true,
			Doc: "Install the passed package, add refresh=True to update the dpkg database.\n\nname\n    The name of the package to be installed (version= for a specific version).\n\npkgs\n    A list of packages to install from a software repository: names, or {name: version}.\n\nsources\n    A list of DEB packages to install: {name: path or salt:// URL}.\n\n" +
				"Returns a dict containing the new package names and versions::\n\n    {'<package>': {'old': '<old-version>', 'new': '<new-version>'}}\n\nCLI Example: salt '*' pkg.install <package name>",
			Call: pkgInstall,
		},
		{
			Name: "pkg.remove", Params: targets, VarKwargs: true,
			Doc:  "Remove packages using apt-get remove.\n\nname\n    The name of the package to be deleted.\n\npkgs\n    A list of packages to delete. Must be passed as a python list.\n\nReturns a dict containing the changes.\n\nCLI Example: salt '*' pkg.remove <package name>",
			Call: func(c *Call) (any, error) { return pkgUninstall(c, "remove") },
		},
		{
			Name: "pkg.purge", Params: targets, VarKwargs: true,
			Doc:  "Remove packages via apt-get purge along with all configuration files.\n\nname\n    The name of the package to be deleted.\n\npkgs\n    A list of packages to delete. Must be passed as a python list.\n\nReturns a dict containing the changes.\n\nCLI Example: salt '*' pkg.purge <package name>",
			Call: func(c *Call) (any, error) { return pkgUninstall(c, "purge") },
		},
		{
			Name:      "pkg.upgrade",
			Params:    []Param{{Name: "refresh", Default: true}, {Name: "dist_upgrade", Default: false}},
			VarKwargs: true,
			Doc:       "Upgrades all packages via apt-get upgrade or apt-get dist-upgrade if dist_upgrade is True.\n\nReturns a dictionary containing the changes::\n\n    {'<package>':  {'old': '<old-version>', 'new': '<new-version>'}}\n\nCLI Example: salt '*' pkg.upgrade",
			Call:      pkgUpgrade,
		},
	}
}

func pkgInstall(c *Call) (any, error) {
	targets, sources, err := pkgTargets(c)
	if err != nil || len(targets) == 0 {
		return body.Map{}, err
	}
	be := pkgBackend(c)
	old, err := be.ListPkgs(c.Ctx, false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if isTrue(c.Arg("refresh")) {
		if _, err := pkgRefreshDB(c, be, false); err != nil {
			return nil, err
		}
	}
	args := make([]string, len(targets))
	for i, t := range targets {
		args[i] = be.Target(t, sources)
	}
	opts := pkgInstallOpts(c, be, sources)
	if pkgDowngrades(c, be, targets, old) && !slices.Contains(opts, "--force-yes") {
		opts = append(opts, "--force-yes") // aptpkg.install: "Downgrading requires --force-yes"
	}
	held := pkgUnholdFor(c, be, targets)
	errs, err := be.Install(c.Ctx, opts, args)
	pkgHoldAgain(c, be, held)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	neu, err := be.ListPkgs(c.Ctx, false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	changes := pkgmgr.CompareDicts(old, neu)
	if isTrue(c.Arg("reinstall")) { // a reinstalled package shows though its version did not change
		for _, t := range targets {
			if v, ok := old[t.Name]; ok && !changes.Has(t.Name) {
				changes.Set(t.Name, body.Map{{Key: "old", Value: v}, {Key: "new", Value: neu[t.Name]}})
			}
		}
	}
	if len(errs) > 0 {
		return nil, infoErr(be.Failed("installing"), body.Map{{Key: "errors", Value: toAnyList(errs)}, {Key: "changes", Value: changes}})
	}
	return changes, nil
}

// pkgInstallOpts is the manager's options that install's arguments ask
// for (aptpkg's cmd_prefix; yumpkg's --nogpgcheck and --enablerepo).
func pkgInstallOpts(c *Call, be pkgmgr.Manager, sources bool) []string {
	fromrepo := c.strArg("fromrepo")
	if _, apt := be.(pkgmgr.Apt); !apt {
		var opts []string
		if isTrue(c.Arg("skip_verify")) {
			opts = append(opts, "--nogpgcheck")
		}
		if fromrepo != "" {
			opts = append(opts, "--enablerepo="+fromrepo)
		}
		return opts
	}
	var opts []string
	if kwTrue(c, "force_yes") {
		opts = append(opts, "--force-yes")
	}
	if v, ok := c.Kwargs.Get("install_recommends"); ok {
		opts = append(opts, map[bool]string{true: "--install-recommends", false: "--no-install-recommends"}[isTrue(v)])
	}
	if kwTrue(c, "only_upgrade") {
		opts = append(opts, "--only-upgrade")
	}
	if isTrue(c.Arg("skip_verify")) {
		opts = append(opts, "--allow-unauthenticated")
	}
	if fromrepo != "" && !sources {
		opts = append(opts, "-t", fromrepo)
	}
	if isTrue(c.Arg("downloadonly")) {
		opts = append(opts, "--download-only")
	}
	if isTrue(c.Arg("reinstall")) && !sources {
		opts = append(opts, "--reinstall")
	}
	return opts
}

// pkgUninstall is aptpkg._uninstall: remove or purge those of the targets
// that are installed (purge: or removed with their configuration left).
func pkgUninstall(c *Call, action string) (any, error) {
	targets, _, err := pkgTargets(c)
	if err != nil {
		return nil, err
	}
	be := pkgBackend(c)
	old, err := be.ListPkgs(c.Ctx, false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	oldRemoved, _ := be.ListPkgs(c.Ctx, true)
	var todo []string
	for _, t := range targets {
		if _, ok := old[t.Name]; ok {
			todo = append(todo, t.Name)
		}
	}
	if action == "purge" {
		for _, t := range targets {
			if _, ok := oldRemoved[t.Name]; ok && !slices.Contains(todo, t.Name) {
				todo = append(todo, t.Name)
			}
		}
	}
	if len(todo) == 0 {
		return body.Map{}, nil
	}
	errs, err := be.Uninstall(c.Ctx, action, todo)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	neu, _ := be.ListPkgs(c.Ctx, false)
	newRemoved, _ := be.ListPkgs(c.Ctx, true)
	var ret any = pkgmgr.CompareDicts(old, neu)
	if action == "purge" && be.KeepsConfig() {
		ret = body.Map{{Key: "removed", Value: pkgmgr.CompareDicts(oldRemoved, newRemoved)}, {Key: "installed", Value: ret}}
	}
	if len(errs) > 0 {
		return nil, infoErr(be.Failed("removing"), body.Map{{Key: "errors", Value: toAnyList(errs)}, {Key: "changes", Value: ret}})
	}
	return ret, nil
}

// pkgUpgrade is aptpkg.upgrade (yumpkg.upgrade): refresh, upgrade
// everything, report what changed.
func pkgUpgrade(c *Call) (any, error) {
	be := pkgBackend(c)
	if isTrue(c.Arg("refresh")) {
		if _, err := pkgRefreshDB(c, be, false); err != nil {
			return nil, err
		}
	}
	old, err := be.ListPkgs(c.Ctx, false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if err := be.Upgrade(c.Ctx, isTrue(c.Arg("dist_upgrade")), nil); err != nil {
		return nil, cmdErr("%v", err)
	}
	neu, err := be.ListPkgs(c.Ctx, false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	return pkgmgr.CompareDicts(old, neu), nil
}

// pkgUnholdFor releases the held packages among targets, which apt would
// not install otherwise, as aptpkg.install does; pkgHoldAgain holds them
// again afterwards.
func pkgUnholdFor(c *Call, be pkgmgr.Manager, targets []pkgmgr.Target) []string {
	a, ok := be.(pkgmgr.Apt)
	if !ok {
		return nil
	}
	var held []string
	for _, t := range targets {
		if t.Name != "" && dpkgSelection(c, a, t.Name) == "hold" && dpkgSetSelection(c, a, t.Name, "install") {
			held = append(held, t.Name)
		}
	}
	return held
}

func pkgHoldAgain(c *Call, be pkgmgr.Manager, held []string) {
	for _, n := range held {
		dpkgSetSelection(c, be.(pkgmgr.Apt), n, "hold")
	}
}

// pkgDowngrades is whether apt is asked for a version older than the
// one installed.
func pkgDowngrades(c *Call, be pkgmgr.Manager, targets []pkgmgr.Target, old map[string]string) bool {
	a, ok := be.(pkgmgr.Apt)
	if !ok {
		return false
	}
	return slices.ContainsFunc(targets, func(t pkgmgr.Target) bool {
		cur := old[t.Name]
		return t.Version != "" && cur != "" && a.VersionCmp(c.Ctx, t.Version, cur) < 0
	})
}

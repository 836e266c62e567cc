package modules

import (
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The pkg functions that ask what is installed or available.
func pkgQueryFuncs() []Func {
	return []Func{
		{
			Name:      "pkg.list_pkgs",
			Params:    []Param{{Name: "versions_as_list", Default: false}, {Name: "removed", Default: false}, {Name: "purge_desired", Default: false}},
			VarKwargs: true,
			Doc:       "List the packages currently installed in a dict::\n\n    {'<package_name>': '<version>'}\n\nremoved\n    If True, then only packages which have been removed (but not purged) will be returned.\n\nCLI Example: salt '*' pkg.list_pkgs",
			Call: func(c *Call) (any, error) {
				pkgs, err := pkgBackend(c).ListPkgs(c.Ctx, isTrue(c.Arg("removed")))
				if err != nil {
					return nil, cmdErr("%v", err)
				}
				return pkgList(pkgs, isTrue(c.Arg("versions_as_list"))), nil
			},
		},
		{
			Name: "pkg.version", VarArgs: true, VarKwargs: true,
			Doc:  "Returns a string representing the package version or an empty string if not installed. If more than one package name is specified, a dict of name/version pairs is returned.\n\nCLI Example: salt '*' pkg.version <package name>",
			Call: pkgVersion,
		},
		{
			Name: "pkg.latest_version", VarArgs: true, VarKwargs: true,
			Doc:  "Return the latest version of the named package available for upgrade or installation. If more than one package name is specified, a dict of name/version pairs is returned.\n\nIf the latest version of a given package is already installed, an empty string will be returned for that package.\n\nA specific repo can be requested using the ``fromrepo`` keyword argument; refresh (default True) updates the package database first.\n\nCLI Example: salt '*' pkg.latest_version <package name>",
			Call: pkgLatestVersion,
		},
		{
			Name: "pkg.upgrade_available", Params: []Param{{Name: "name", Required: true}}, VarKwargs: true,
			Doc: "Check whether or not an upgrade is available for a given package\n\nCLI Example: salt '*' pkg.upgrade_available <package name>",
			Call: func(c *Call) (any, error) {
				v, err := pkgmgr.LatestVersions(c.Ctx, pkgBackend(c), []string{c.strArg("name")})
				return v[c.strArg("name")] != "", err
			},
		},
		{
			Name:      "pkg.list_upgrades",
			Params:    []Param{{Name: "refresh", Default: true}, {Name: "dist_upgrade", Default: true}},
			VarKwargs: true,
			Doc:       "List all available package upgrades.\n\nrefresh\n    Whether to refresh the package database before listing upgrades. Default: True.\n\ndist_upgrade\n    Whether to list the upgrades using dist-upgrade vs upgrade. Default is to use dist-upgrade.\n\nCLI Example: salt '*' pkg.list_upgrades",
			Call: func(c *Call) (any, error) {
				be := pkgBackend(c)
				if isTrue(c.Arg("refresh")) {
					if _, err := pkgRefreshDB(c, be, false); err != nil {
						return nil, err
					}
				}
				ups, err := be.Upgradable(c.Ctx, isTrue(c.Arg("dist_upgrade")))
				if err != nil {
					return nil, cmdErr("%v", err)
				}
				return pkgList(ups, false), nil
			},
		},
		{
			Name:      "pkg.refresh_db",
			Params:    []Param{{Name: "cache_valid_time", Default: int64(0)}, {Name: "failhard", Default: false}},
			VarKwargs: true,
			Doc:       "Updates the APT database to latest packages based upon repositories\n\nReturns a dict, with the keys being package databases and the values being the result of the update attempt: True (updated), False (problem updating), None (already up-to-date). With failhard, raise an error listing the databases that failed.\n\nCLI Example: salt '*' pkg.refresh_db",
			Call: func(c *Call) (any, error) {
				return pkgRefreshDB(c, pkgBackend(c), isTrue(c.Arg("failhard")))
			},
		},
	}
}

// pkgVersion is pkg_resource.version: one name gives its version ("" when
// not installed), several (or a glob) a dict.
func pkgVersion(c *Call) (any, error) {
	names := pkgNamesArgs(c)
	asList := kwTrue(c, "versions_as_list")
	ret := body.Map{}
	glob := false
	if len(names) > 0 {
		pkgs, err := pkgBackend(c).ListPkgs(c.Ctx, false)
		if err != nil {
			return nil, cmdErr("%v", err)
		}
		all := pkgList(pkgs, true)
		for _, name := range names {
			if !strings.Contains(name, "*") {
				v, ok := all.Get(name)
				if !ok {
					v = []any{}
				}
				ret.Set(name, v)
				continue
			}
			glob = true
			for _, it := range all {
				if py.Fnmatch(it.Key, name) {
					ret.Set(it.Key, it.Value)
				}
			}
		}
	}
	if !asList {
		for i, it := range ret {
			ret[i].Value = pkgStringify(it.Value)
		}
	}
	if len(ret) == 1 && !glob {
		return ret[0].Value, nil
	}
	return ret, nil
}

// pkgStringify is pkg_resource.stringify of one version list.
func pkgStringify(v any) string {
	l, _ := v.([]any)
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = py.Str(x)
	}
	return strings.Join(s, ",")
}

// pkgLatestVersion is aptpkg.latest_version (yumpkg's on RedHat).
func pkgLatestVersion(c *Call) (any, error) {
	refresh, showInstalled := true, kwTrue(c, "show_installed")
	if v, ok := c.Kwargs.Get("refresh"); ok {
		refresh = isTrue(v)
	}
	if c.Kwargs.Has("repo") {
		return nil, invocationErr("The 'repo' argument is invalid, use 'fromrepo' instead")
	}
	names := pkgNamesArgs(c)
	if len(names) == 0 {
		return "", nil
	}
	be := pkgBackend(c)
	if refresh {
		if _, err := pkgRefreshDB(c, be, false); err != nil {
			return nil, err
		}
	}
	var latest map[string]string
	var err error
	if a, ok := be.(pkgmgr.Apt); ok {
		latest, err = aptLatest(c, a, names, showInstalled)
	} else {
		latest, err = pkgmgr.LatestVersions(c.Ctx, be, names)
	}
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if len(names) == 1 {
		return latest[names[0]], nil
	}
	ret := body.Map{}
	for _, n := range names {
		ret.Set(n, latest[n])
	}
	return ret, nil
}

// aptLatest is aptpkg.latest_version's loop: the candidate of apt-cache
// policy (in fromrepo when given), unless what is installed is as new.
func aptLatest(c *Call, a pkgmgr.Apt, names []string, showInstalled bool) (map[string]string, error) {
	var opts []string
	if r, ok := c.Kwargs.Get("fromrepo"); ok && pyTruthy(r) {
		opts = []string{"-o", "APT::Default-Release=" + py.Str(r)}
	}
	out := map[string]string{}
	for _, n := range names {
		installed, candidate, err := a.Policy(c.Ctx, n, opts)
		if err != nil {
			return nil, err
		}
		if installed == "" || showInstalled || candidate != "" && a.VersionCmp(c.Ctx, installed, candidate) < 0 {
			out[n] = candidate
		} else {
			out[n] = ""
		}
	}
	return out, nil
}

var aptUpdateSize = regexp.MustCompile(` \[.+B\]$`)

// pkgRefreshDB is refresh_db: for apt, `apt-get -q update` read line by
// line into {database: True (Get), None (Hit), False (Ign, Err)}; for dnf,
// yumpkg's clean expire-cache and check-update, True when it ran.
func pkgRefreshDB(c *Call, be pkgmgr.Manager, failhard bool) (any, error) {
	a, ok := be.(pkgmgr.Apt)
	if !ok {
		if err := be.Refresh(c.Ctx, true); err != nil {
			return nil, cmdErr("%v", err)
		}
		return true, nil
	}
	stdout, stderr, rc, err := a.Run(c.Ctx, []string{"apt-get", "-q", "update"}, pkgmgr.DpkgEnv)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if rc != 0 {
		return nil, cmdErr("%s", stderr)
	}
	ret := body.Map{}
	var failed []string
	for _, line := range strings.Split(stdout, "\n") {
		cols := strings.Fields(line)
		if len(cols) == 0 {
			continue
		}
		ident := strings.Join(cols[1:], " ")
		switch {
		case strings.Contains(cols[0], "Get"):
			ret.Set(aptUpdateSize.ReplaceAllString(ident, ""), true)
		case strings.Contains(cols[0], "Ign"):
			ret.Set(ident, false)
		case strings.Contains(cols[0], "Hit"):
			ret.Set(ident, nil)
		case strings.Contains(cols[0], "Err"):
			ret.Set(ident, false)
			failed = append(failed, ident)
		}
	}
	if failhard && len(failed) > 0 {
		return nil, cmdErr("Error getting repos: %s", strings.Join(failed, ", "))
	}
	return ret, nil
}

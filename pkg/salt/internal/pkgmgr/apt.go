package pkgmgr

import (
	"context"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// The apt/dpkg side of the pkg module and states (salt/modules/aptpkg.py): what is
// installed, and apt-get to install, remove and purge.

// DpkgEnv is aptpkg's DPKG_ENV_VARS: nothing may prompt.
var DpkgEnv = []string{"APT_LISTBUGS_FRONTEND=none", "APT_LISTCHANGES_FRONTEND=none",
	"DEBIAN_FRONTEND=noninteractive", "UCF_FORCE_CONFFOLD=1"}

// Apt is the package manager of Debian and its derivatives.
type Apt struct{ Run sysexec.Runner }

// ListPkgs is pkg.list_pkgs: name → version of the installed packages
// (held ones included), or with removed those removed with their
// configuration left ("rc").
func (a Apt) ListPkgs(ctx context.Context, removed bool) (map[string]string, error) {
	out, _, _, err := a.Run(ctx, []string{"dpkg-query", "--showformat", "${Status} ${Package} ${Version} ${Architecture}\n", "-W"}, nil)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		want, status := f[0], f[2]
		installed := (strings.Contains(want, "install") || strings.Contains(want, "hold")) && strings.Contains(status, "installed")
		if !removed && installed || removed && strings.Contains(want, "deinstall") {
			pkgs[f[3]] = f[4]
		}
	}
	return pkgs, nil
}

// Install is apt-get install of targets (names, name=version, or .deb
// paths), with opts (such as --reinstall or -t <release>) before the
// verb; the stderr of a failed apt-get is returned as errors.
func (a Apt) Install(ctx context.Context, opts, targets []string) ([]string, error) {
	argv := []string{"apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold", "-o", "DPkg::Options::=--force-confdef"}
	argv = append(append(argv, opts...), "install")
	_, stderr, rc, err := a.Run(ctx, append(argv, targets...), DpkgEnv)
	if err != nil {
		return nil, err
	}
	if rc != 0 && stderr != "" {
		return []string{strings.TrimRight(stderr, "\n")}, nil
	}
	return nil, nil
}

// Uninstall is apt-get remove or purge; the stderr of a failed apt-get
// is returned as errors, as aptpkg._uninstall collects them.
func (a Apt) Uninstall(ctx context.Context, action string, names []string) ([]string, error) {
	_, stderr, rc, err := a.Run(ctx, append([]string{"apt-get", "-q", "-y", action}, names...), DpkgEnv)
	if err != nil {
		return nil, err
	}
	if rc != 0 && stderr != "" {
		return []string{stderr}, nil
	}
	return nil, nil
}

// CompareDicts is salt.utils.data.compare_dicts of two package lists:
// {name: {old, new}} for each that differs, sorted by name.
func CompareDicts(old, neu map[string]string) body.Map {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range neu {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	out := body.Map{}
	for _, k := range names {
		o, inOld := old[k]
		n, inNew := neu[k]
		switch {
		case !inOld:
			out.Set(k, body.Map{{Key: "old", Value: ""}, {Key: "new", Value: n}})
		case !inNew:
			out.Set(k, body.Map{{Key: "new", Value: ""}, {Key: "old", Value: o}})
		case o != n:
			out.Set(k, body.Map{{Key: "old", Value: o}, {Key: "new", Value: n}})
		}
	}
	return out
}

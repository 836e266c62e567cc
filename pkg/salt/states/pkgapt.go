package states

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The apt/dpkg side of the pkg states (salt/modules/aptpkg.py): what is
// installed, and apt-get to install, remove and purge.

// dpkgEnv is aptpkg's DPKG_ENV_VARS: nothing may prompt.
var dpkgEnv = []string{"APT_LISTBUGS_FRONTEND=none", "APT_LISTCHANGES_FRONTEND=none",
	"DEBIAN_FRONTEND=noninteractive", "UCF_FORCE_CONFFOLD=1"}

// runner runs a command: its stdout, stderr and exit code.
type runner func(ctx context.Context, argv []string, env []string) (string, string, int, error)

// execRunner runs commands on this machine.
func execRunner(ctx context.Context, argv []string, env []string) (string, string, int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode(), nil
	}
	if err != nil {
		return "", "", 0, err
	}
	return out.String(), errb.String(), 0, nil
}

// apt is the package manager of Debian and its derivatives.
type apt struct{ run runner }

// aptRunner is the runner the pkg states use; tests replace it.
var aptRunner runner = execRunner

// listPkgs is pkg.list_pkgs: name → version of the installed packages,
// or with removed those removed with their configuration left ("rc").
func (a apt) listPkgs(ctx context.Context, removed bool) (map[string]string, error) {
	out, _, _, err := a.run(ctx, []string{"dpkg-query", "--showformat", "${Status} ${Package} ${Version} ${Architecture}\n", "-W"}, nil)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		status := strings.Join(f[:3], " ")
		if !removed && status == "install ok installed" || removed && status == "deinstall ok config-files" {
			pkgs[f[3]] = f[4]
		}
	}
	return pkgs, nil
}

// install is apt-get install of targets (names, name=version, or .deb
// paths); the stderr of a failed apt-get is returned as errors.
func (a apt) install(ctx context.Context, targets []string) ([]string, error) {
	argv := []string{"apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold", "-o", "DPkg::Options::=--force-confdef", "install"}
	_, stderr, rc, err := a.run(ctx, append(argv, targets...), dpkgEnv)
	if err != nil {
		return nil, err
	}
	if rc != 0 && stderr != "" {
		return []string{strings.TrimRight(stderr, "\n")}, nil
	}
	return nil, nil
}

// uninstall is apt-get remove or purge.
func (a apt) uninstall(ctx context.Context, action string, names []string) error {
	_, _, _, err := a.run(ctx, append([]string{"apt-get", "-q", "-y", action}, names...), dpkgEnv)
	return err
}

// compareDicts is salt.utils.data.compare_dicts of two package lists:
// {name: {old, new}} for each that differs, sorted by name.
func compareDicts(old, neu map[string]string) body.Map {
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

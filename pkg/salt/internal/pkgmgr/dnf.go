package pkgmgr

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// The dnf/rpm side of the pkg module and states (salt/modules/yumpkg.py), the
// package manager of RedHat and its derivatives: rpm -qa for what is
// installed, dnf to install and remove.

// Dnf is the package manager of RedHat and its derivatives.
type Dnf struct {
	Run    sysexec.Runner
	OSArch string // the osarch grain: rpm names a package of another arch name.arch
}

// rpmQueryFormat is salt.utils.pkg.rpm.QUERYFORMAT as list_pkgs uses it.
const rpmQueryFormat = "%{NAME}_|-%{EPOCH}_|-%{VERSION}_|-%{RELEASE}_|-%{ARCH}_|-(none)_|-%{INSTALLTIME}\n"

var rpmArches32 = []string{"i386", "i486", "i586", "i686", "athlon", "geode", "pentium3", "pentium4"}

// Call is _call_yum: under systemd-run --scope when systemd runs.
func (d Dnf) Call(ctx context.Context, args ...string) (string, string, int, error) {
	argv := append([]string{"dnf"}, args...)
	if st, err := os.Stat("/run/systemd/system"); err == nil && st.IsDir() {
		argv = append([]string{"systemd-run", "--scope"}, argv...)
	}
	return d.Run(ctx, argv, nil)
}

// ListPkgs is yumpkg.list_pkgs: name → version(s) (epoch:version-release,
// several joined by commas); yum keeps no removed packages.
func (d Dnf) ListPkgs(ctx context.Context, removed bool) (map[string]string, error) {
	if removed {
		return map[string]string{}, nil
	}
	out, _, _, err := d.Run(ctx, []string{"rpm", "-qa", "--queryformat", rpmQueryFormat}, nil)
	if err != nil {
		return nil, err
	}
	vers := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "_|-")
		if len(f) != 7 {
			continue
		}
		name, epoch, version, release, arch := f[0], f[1], f[2], f[3], f[4]
		if !(slices.Contains(rpmArches32, arch) && slices.Contains(rpmArches32, d.Arch())) && arch != d.Arch() && arch != "noarch" {
			name += "." + arch
		}
		if release != "" {
			version += "-" + release
		}
		if epoch != "(none)" && epoch != "0" {
			version = epoch + ":" + version
		}
		vers[name] = append(vers[name], version)
	}
	pkgs := make(map[string]string, len(vers))
	for n, v := range vers {
		slices.Sort(v)
		pkgs[n] = strings.Join(v, ",")
	}
	return pkgs, nil
}

// Arch is the osarch grain, else rpm's name of this machine's arch.
func (d Dnf) Arch() string {
	if d.OSArch != "" {
		return d.OSArch
	}
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	}
	return runtime.GOARCH
}

// Target is yumpkg.install's pkgstr: a file, name, or name-version.
func (d Dnf) Target(t Target, sources bool) string {
	switch {
	case sources:
		return t.Source
	case t.Version == "":
		return t.Name
	}
	return t.Name + "-" + t.Version
}

// Install is yumpkg.install's dnf -y --best --allowerasing install; dnf's
// output (stderr redirected into it) is the error when it fails.
func (d Dnf) Install(ctx context.Context, opts, targets []string) ([]string, error) {
	args := append(append([]string{"-y", "--best", "--allowerasing"}, opts...), "install")
	out, stderr, rc, err := d.Call(ctx, append(args, targets...)...)
	if err != nil {
		return nil, err
	}
	if rc != 0 {
		return []string{strings.TrimRight(out+stderr, "\n")}, nil
	}
	return nil, nil
}

func (d Dnf) KeepsConfig() bool { return false }

func (d Dnf) InstallFailed(errs []string) string {
	return ErrorsInfo("Error occurred installing package(s)", errs)
}

// Uninstall is yumpkg.remove (purge is remove): dnf -y remove.
func (d Dnf) Uninstall(ctx context.Context, _ string, names []string) ([]string, error) {
	_, stderr, rc, err := d.Call(ctx, append([]string{"-y", "remove"}, names...)...)
	if err != nil {
		return nil, err
	}
	if rc != 0 && stderr != "" {
		return []string{strings.TrimRight(stderr, "\n")}, nil
	}
	return nil, nil
}

// Failed is the message yumpkg raises when dnf complained while doing
// what ("installing", "removing").
func (d Dnf) Failed(what string) string { return "Error occurred " + what + " package(s)" }

// Refresh is yumpkg.refresh_db: dnf clean expire-cache, then (unless
// list_upgrades asks for check_update=False) check-update, whose exit
// 100 means updates are available, not an error.
func (d Dnf) Refresh(ctx context.Context, checkUpdate bool) error {
	if _, _, _, err := d.Call(ctx, "--quiet", "--assumeyes", "clean", "expire-cache"); err != nil {
		return err
	}
	if !checkUpdate {
		return nil
	}
	_, _, _, err := d.Call(ctx, "--quiet", "--assumeyes", "check-update")
	return err
}

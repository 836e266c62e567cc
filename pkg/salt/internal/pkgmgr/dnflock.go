package pkgmgr

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Holds on dnf are the versionlock plugin's locks (yumpkg.hold, unhold,
// list_holds): `dnf versionlock <pkg>` adds one, `dnf versionlock delete`
// removes them, `dnf versionlock list` prints them one a line as
// name-epoch:version-release.*.

// holdRe is _get_hold's regex for dnf over __HOLD_PATTERN: the lock
// expression in a line of `dnf versionlock list`.
var holdRe = regexp.MustCompile(`([\w+]+(?:[.-][^-]+)*-\S+)`)

// VersionlockPlugin is _versionlock_pkg: the package of dnf's versionlock
// plugin on this OS, which hold and unhold require installed. An osrelease
// or osmajorrelease grain that is not a number is the error Python's int()
// raises (a TypeError for a missing grain, else a ValueError).
func VersionlockPlugin(os, osrelease, osmajorrelease string, haveRelease, haveMajor bool) (string, error) {
	if strings.EqualFold(os, "fedora") {
		rel, err := pyInt(osrelease, haveRelease)
		if err != nil {
			return "", err
		}
		if rel >= 26 {
			return "python3-dnf-plugin-versionlock", nil
		}
		return "python3-dnf-plugins-extras-versionlock", nil
	}
	major, err := pyInt(osmajorrelease, haveMajor)
	if err != nil {
		return "", err
	}
	if major >= 8 {
		return "python3-dnf-plugin-versionlock", nil
	}
	return "python2-dnf-plugin-versionlock", nil
}

// PyIntError is the exception int() raises for a grain that is no number.
type PyIntError struct{ Type, Msg string }

func (e *PyIntError) Error() string { return e.Type + ": " + e.Msg }

func pyInt(s string, present bool) (int, error) {
	if !present {
		return 0, &PyIntError{"TypeError", "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"}
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, &PyIntError{"ValueError", fmt.Sprintf("invalid literal for int() with base 10: '%s'", s)}
	}
	return n, nil
}

// Holds is list_holds(full=False): the names of the packages locked, in
// the order `dnf versionlock list` prints them (stderr merged into its
// output, as cmd.run does).
func (d Dnf) Holds(ctx context.Context) ([]string, error) {
	out, stderr, _, err := d.Run(ctx, []string{"dnf", "versionlock", "list"}, nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(strings.TrimRight(out+stderr, "\n"), "\n") {
		if name := HoldName(line); name != "" {
			names = append(names, name)
		}
	}
	return names, nil
}

// HoldName is _get_hold(line, full=False) for dnf: the package name of
// the lock expression in line (vim-enhanced-2:7.4.827-1.fc22.* is
// vim-enhanced), "" when the line has none.
func HoldName(line string) string {
	m := holdRe.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	s := m[1]
	for _, sep := range []string{".", "-", "-"} { // drop the arch, the release, the version
		if i := strings.LastIndex(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

// Lock is yumpkg.hold's `dnf versionlock <name>` (versionlock's default
// subcommand adds): whether it exited 0.
func (d Dnf) Lock(ctx context.Context, name string) (bool, error) {
	_, _, rc, err := d.Call(ctx, "versionlock", name)
	return err == nil && rc == 0, err
}

// Unlock is yumpkg.unhold's `dnf versionlock delete <locks>`.
func (d Dnf) Unlock(ctx context.Context, locks []string) (bool, error) {
	_, _, rc, err := d.Call(ctx, append([]string{"versionlock", "delete"}, locks...)...)
	return err == nil && rc == 0, err
}

package pkgmgr

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// LatestVersion is aptpkg.latest_version of one name: apt-cache's
// candidate, "" when there is none or what is installed is as new.
func (a Apt) LatestVersion(ctx context.Context, name string) (string, error) {
	installed, candidate, err := a.Policy(ctx, name, nil)
	if err != nil || candidate == "" || installed == "" {
		return candidate, err
	}
	if a.VersionCmp(ctx, installed, candidate) >= 0 {
		return "", nil
	}
	return candidate, nil
}

// Policy is `apt-cache -q policy name` (with opts, such as
// -o APT::Default-Release=<repo>): the version installed and the
// candidate, each "" for none.
func (a Apt) Policy(ctx context.Context, name string, opts []string) (installed, candidate string, err error) {
	out, _, _, err := a.Run(ctx, append([]string{"apt-cache", "-q", "policy", name}, opts...), nil)
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Installed: "); ok {
			installed = v
		}
		if v, ok := strings.CutPrefix(line, "Candidate: "); ok && candidate == "" {
			candidate = v
		}
	}
	none := func(v string) string {
		if strings.EqualFold(v, "(none)") {
			return ""
		}
		return v
	}
	return none(installed), none(candidate), nil
}

// VersionCmp is aptpkg.version_cmp: -1, 0 or 1 as dpkg orders the two
// versions.
func (a Apt) VersionCmp(ctx context.Context, v1, v2 string) int {
	for _, c := range []struct {
		op  string
		res int
	}{{"lt", -1}, {"eq", 0}, {"gt", 1}} {
		if _, _, rc, err := a.Run(ctx, []string{"dpkg", "--compare-versions", v1, c.op, v2}, nil); err == nil && rc == 0 {
			return c.res
		}
	}
	return 0
}

var aptConfLine = regexp.MustCompile(`(?m)^Conf ([^ ]+) \(([^ ]+)`)

// Upgradable is aptpkg._get_upgradable: name → version apt would upgrade
// to (apt-get --just-print upgrade).
func (a Apt) Upgradable(ctx context.Context, dist bool) (map[string]string, error) {
	verb := "upgrade"
	if dist {
		verb = "dist-upgrade"
	}
	out, stderr, rc, err := a.Run(ctx, []string{"apt-get", "--just-print", verb}, nil)
	if err != nil {
		return nil, err
	}
	if rc != 0 {
		msg := "Failed to get upgrades"
		if stderr != "" {
			msg += ": " + stderr
		} else if out != "" {
			msg += ": " + out
		}
		return nil, fmt.Errorf("%s", msg)
	}
	ups := map[string]string{}
	for _, m := range aptConfLine.FindAllStringSubmatch(out, -1) {
		ups[m[1]] = m[2]
	}
	return ups, nil
}

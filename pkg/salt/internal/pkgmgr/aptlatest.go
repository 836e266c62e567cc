package pkgmgr

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// LatestVersion is aptpkg.latest_version: apt-cache's candidate, "" when
// there is none or it is what is installed.
func (a Apt) LatestVersion(ctx context.Context, name string) (string, error) {
	out, _, _, err := a.Run(ctx, []string{"apt-cache", "-q", "policy", name}, nil)
	if err != nil {
		return "", err
	}
	var installed, candidate string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Installed: "); ok {
			installed = v
		}
		if v, ok := strings.CutPrefix(line, "Candidate: "); ok {
			candidate = v
		}
	}
	if candidate == "(none)" || candidate == installed {
		return "", nil
	}
	return candidate, nil
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

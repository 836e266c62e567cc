package runner

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// versionLabels are manage.versions' headings, by comparison with the
// master's version.
var versionLabels = map[int]string{
	-2: "Minion offline",
	-1: "Minion requires update",
	0:  "Up to date",
	1:  "Minion newer than master",
	2:  "Master",
}

// masterVersion is the Salt version this master answers as: the one its
// minions' test.version answers (modules.DefaultVersion).
var masterVersion = modules.DefaultVersion

// versions is manage.versions: test.version to every minion with the
// master's timeout; each minion that returned under the label of its
// version against the master's (False under "Minion offline" for one
// whose call failed), the labels in the order first met (minions taken
// by id), and "Master": the master's version last. Minions that did not
// return are left out, as LocalClient.cmd leaves them out.
func (e *Env) versions(ctx context.Context) (any, error) {
	returns, _, err := e.run(ctx, "*", "glob", "test.version", secondsOf(e.Opts.Timeout), 0)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(returns, func(a, b clientReturn) int { return strings.Compare(a.ID, b.ID) })
	master := parseVersion(masterVersion)
	byLabel := map[int]body.Map{}
	var order []int
	for _, r := range returns {
		if r.Missing != "" {
			continue
		}
		diff, value := -2, any(false)
		if s, ok := r.Ret.(string); ok && r.Retcode == 0 {
			if v := parseVersion(s); v != nil {
				diff, value = compareVersions(v, master), strings.TrimSpace(s)
			}
		}
		if _, seen := byLabel[diff]; !seen {
			order = append(order, diff)
		}
		byLabel[diff] = append(byLabel[diff], body.Item{Key: r.ID, Value: value})
	}
	out := body.Map{}
	for _, d := range order {
		out = append(out, body.Item{Key: versionLabels[d], Value: byLabel[d]})
	}
	out = append(out, body.Item{Key: versionLabels[2], Value: masterVersion})
	return out, nil
}

var versionRE = regexp.MustCompile(`^v?(\d+(?:\.\d+)*)(?:(rc)(\d+))?`)

// version is a parsed Salt version: its numbers, then the release
// candidate (0 for a release, which sorts after every candidate).
type version []int

// parseVersion reads "3006.3", "2018.3.0", "3007.0rc1"; nil for text that
// is no version.
func parseVersion(s string) version {
	m := versionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil
	}
	var v version
	for _, p := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		v = append(v, n)
	}
	for len(v) < 3 {
		v = append(v, 0)
	}
	rc := 1 << 30
	if m[2] != "" {
		rc, _ = strconv.Atoi(m[3])
	}
	return append(v, rc)
}

// compareVersions is Python's cmp of two versions: -1, 0 or 1.
func compareVersions(a, b version) int {
	// the rc is last; the numbers before it are padded to the same length
	an, bn := slices.Clone(a[:len(a)-1]), slices.Clone(b[:len(b)-1])
	for len(an) < len(bn) {
		an = append(an, 0)
	}
	for len(bn) < len(an) {
		bn = append(bn, 0)
	}
	if c := slices.Compare(an, bn); c != 0 {
		return c
	}
	return cmpInt(a[len(a)-1], b[len(b)-1])
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

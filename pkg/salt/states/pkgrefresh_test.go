package states

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// refresh: True runs apt-get -q update where Salt's aptpkg refreshes:
// before installing (not when nothing is to install, nor with
// test=True), before latest_version (even with test=True), and before
// list_upgrades and again before upgrade for pkg.uptodate.
func TestPkgRefreshApt(t *testing.T) {
	f := withFakeApt(t)
	aptRunner = func(ctx context.Context, argv []string, env []string) (string, string, int, error) {
		if strings.Join(argv, " ") == "apt-get -q update" {
			f.cmds = append(f.cmds, "apt-get -q update")
			return "", "", 0, nil
		}
		if argv[0] == "apt-get" && argv[1] == "--just-print" {
			f.cmds = append(f.cmds, strings.Join(argv, " "))
			return "Conf old (2 stable [all])\n", "", 0, nil
		}
		return f.run(ctx, argv, env)
	}
	env := testEnv()
	refresh := body.Map{{Key: "refresh", Value: true}}
	updates := func() int {
		n := 0
		for _, c := range f.cmds {
			if c == "apt-get -q update" {
				n++
			}
		}
		f.cmds = nil
		return n
	}
	run(t, env, "pkg.installed", "demo", refresh, true)
	if n := updates(); n != 0 {
		t.Errorf("pkg.installed test=True refreshed %d times", n)
	}
	wantRet(t, run(t, env, "pkg.installed", "demo", refresh, false), "True", "The following packages were installed/updated: demo", "-")
	if !slices.Equal(f.cmds[1:3], []string{"apt-get -q update", "apt-get -q -y -o DPkg::Options::=--force-confold -o DPkg::Options::=--force-confdef install demo"}) {
		t.Errorf("pkg.installed refresh ran %q", f.cmds)
	}
	updates()
	for _, c := range []struct {
		fun, name string
		args      body.Map
		test      bool
		want      int
	}{
		{"pkg.installed", "demo", refresh, false, 0}, // already installed: no pkg.install
		{"pkg.latest", "old", refresh, true, 1},
		{"pkg.uptodate", "up", refresh, false, 2}, // list_upgrades, then upgrade
		{"pkg.uptodate", "up", nil, false, 0},
	} {
		run(t, env, c.fun, c.name, c.args, c.test)
		if n := updates(); n != c.want {
			t.Errorf("%s %s (refresh %v, test=%v) refreshed %d times, want %d", c.fun, c.name, c.args, c.test, n, c.want)
		}
	}
}

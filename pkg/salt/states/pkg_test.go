package states

import (
	"context"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// fakeApt answers dpkg-query, apt-cache and apt-get as a Debian machine
// would, from a package list it keeps, and records the commands.
type fakeApt struct {
	installed map[string]string // name → version
	rc        map[string]string // removed, config files left
	repo      map[string]string // what apt-get install can find
	cmds      []string
}

func (f *fakeApt) run(_ context.Context, argv []string, env []string) (string, string, int, error) {
	f.cmds = append(f.cmds, strings.Join(argv, " "))
	switch argv[0] {
	case "dpkg": // --compare-versions: dpkg's own ordering
		return execRunner(context.Background(), argv, nil)
	case "dpkg-query":
		var sb strings.Builder
		for n, v := range f.installed {
			sb.WriteString("install ok installed " + n + " " + v + " all\n")
		}
		for n, v := range f.rc {
			sb.WriteString("deinstall ok config-files " + n + " " + v + " all\n")
		}
		return sb.String(), "", 0, nil
	case "apt-cache":
		name := argv[len(argv)-1]
		if v, ok := f.repo[name]; ok {
			return name + ":\n  Installed: " + f.installed[name] + "\n  Candidate: " + v + "\n", "", 0, nil
		}
		return "", "", 0, nil
	}
	if strings.Join(env, " ") != strings.Join(dpkgEnv, " ") {
		return "", "apt-get without DEBIAN_FRONTEND=noninteractive", 1, nil
	}
	if argv[3] == "remove" || argv[3] == "purge" {
		for _, n := range argv[4:] {
			if argv[3] == "remove" {
				f.rc[n] = f.installed[n]
			} else {
				delete(f.rc, n)
			}
			delete(f.installed, n)
		}
		return "", "", 0, nil
	}
	for _, p := range argv[8:] { // apt-get -q -y -o ... -o ... install
		name, _, _ := strings.Cut(p, "=")
		if strings.HasSuffix(p, ".deb") {
			name = "demo"
		}
		v, ok := f.repo[name]
		if !ok {
			return "", "E: Unable to locate package " + name + "\n", 100, nil
		}
		f.installed[name] = v
	}
	return "", "", 0, nil
}

func withFakeApt(t *testing.T) *fakeApt {
	f := &fakeApt{installed: map[string]string{"old": "1"}, rc: map[string]string{}, repo: map[string]string{"demo": "1.0-1", "old": "2"}}
	prev := aptRunner
	aptRunner = f.run
	t.Cleanup(func() { aptRunner = prev })
	return f
}

// Commands and returns with a fake apt: what runs on a machine where
// the test is not root (the observed test installs a real .deb as root).
func TestPkgWithFakeApt(t *testing.T) {
	f := withFakeApt(t)
	env := testEnv()
	r := run(t, env, "pkg.installed", "demo", body.Map{{Key: "sources", Value: []any{body.Map{{Key: "demo", Value: "/tmp/demo.deb"}}}}}, false)
	wantRet(t, r, "True", "The following packages were installed/updated: demo", `{"demo":{"old":"","new":"1.0-1"}}`)
	if got := f.cmds[1]; got != "apt-get -q -y -o DPkg::Options::=--force-confold -o DPkg::Options::=--force-confdef install /tmp/demo.deb" {
		t.Errorf("install command %q", got)
	}
	wantRet(t, run(t, env, "pkg.installed", "demo", nil, false), "True", "All specified packages are already installed", "{}")
	wantRet(t, run(t, env, "pkg.latest", "old", nil, true), "None", "The following packages would be installed/upgraded: old", "{}")
	wantRet(t, run(t, env, "pkg.latest", "old", nil, false), "True", "The following packages were successfully installed/upgraded: old", `{"old":{"old":"1","new":"2"}}`)
	wantRet(t, run(t, env, "pkg.removed", "demo", nil, true), "None", "The following packages will be removed: demo.", `{"demo":{"new":"removed","old":""}}`)
	wantRet(t, run(t, env, "pkg.removed", "demo", nil, false), "True", "All targeted packages were removed.", `{"demo":{"new":"","old":"1.0-1"}}`)
	wantRet(t, run(t, env, "pkg.purged", "demo", nil, false), "True", "All targeted packages were purged.", `{"removed":{"demo":{"new":"","old":"1.0-1"}},"installed":{}}`)
	wantRet(t, run(t, env, "pkg.installed", "nope", nil, false), "False",
		"Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package nope", "{}")
	wantRet(t, run(t, env, "pkg.installed", "x", body.Map{{Key: "pkgs", Value: []any{"demo", body.Map{{Key: "old", Value: "2"}}}}}, false),
		"True", "The following packages were installed/updated: demo\nThe following packages were already installed: old=2", `{"demo":{"old":"","new":"1.0-1"}}`)
}

package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPkgDnfSalt3006 runs the pkg states on a RedHat minion (os_family
// grain) against the fake dnf and rpm of testdata/fakednf on PATH, and
// checks what they return and the dnf command lines they run against
// what Salt 3006.3 returned and ran with the same fakes
// (testdata/compare/salt3006-pkg-dnf.json and .commands).
func TestPkgDnfSalt3006(t *testing.T) {
	fakes, err := filepath.Abs("testdata/fakednf")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	log := filepath.Join(tmp, "log")
	t.Setenv("PATH", fakes+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKEPKG", filepath.Join(tmp, "pkgs"))
	t.Setenv("FAKEPKG_LOG", log)
	prev := aptRunner
	aptRunner = func(ctx context.Context, argv []string, env []string) (string, string, int, error) {
		if argv[0] != "dnf" && argv[0] != "rpm" {
			return "", "", 0, fmt.Errorf("a RedHat minion ran %v", argv)
		}
		return execRunner(ctx, argv, env)
	}
	t.Cleanup(func() { aptRunner = prev })
	o := loadObserved(t, "testdata/compare/salt3006-pkg-dnf.json")
	want, err := os.ReadFile("testdata/compare/salt3006-pkg-dnf.commands")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"run", "test"} {
		os.Remove(log)
		t.Run(mode, func(t *testing.T) { runObserved(t, o, mode) })
		got := dnfCommands(t, log)
		if mode == "run" && got != string(want) {
			t.Errorf("dnf ran:\n%s\nSalt ran:\n%s", got, want)
		}
		if mode == "test" && slices.ContainsFunc(strings.Split(got, "\n"), func(l string) bool {
			return strings.Contains(l, " -y ") // install, remove, upgrade
		}) {
			t.Errorf("test=True changed packages:\n%s", got)
		}
	}
}

// dnfCommands is the fake's log without its rpm queries.
func dnfCommands(t *testing.T, log string) string {
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "dnf ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

func TestRPMVerCmp(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0-1", "1.0-1", 0}, {"1.10-1", "1.9-1", 1}, {"1.0~rc1-1", "1.0-1", -1},
		{"1:1.0-1", "2.0-1", 1}, {"5.1.8-6.el9", "5.1.8-9.el9", -1}, {"1.0a", "1.0", 1}, {"1.01", "1.1", 0},
	} {
		if got := rpmVerCmp(c.a, c.b); got != c.want {
			t.Errorf("rpmVerCmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

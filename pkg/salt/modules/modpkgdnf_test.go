package modules

import (
	"os"
	"path/filepath"
	"testing"
)

// The yumpkg side, on a RedHat minion (os_family grain), against the
// fake dnf and rpm the pkg states' tests use (they keep their packages in
// a temp dir): the same functions pick dnf and rpm, and word their errors
// as yumpkg does.
func TestPkgDnf(t *testing.T) {
	fakes, err := filepath.Abs("../states/testdata/fakednf")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("PATH", fakes+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKEPKG", tmp)
	os.WriteFile(filepath.Join(tmp, "repo"), []byte("demo-1.0-1 demo 0 1.0 1 noarch\ndemo demo 0 2.0 1 noarch\n"+
		"python3-dnf-plugin-versionlock python3-dnf-plugin-versionlock 0 4.3.0 1 noarch\n"), 0o644)
	e := New(Options{Grains: func() map[string]any { return redhatGrains }})
	pkgtestWant(t, run(e, "pkg.list_pkgs"), `{}`)
	pkgtestWant(t, run(e, "pkg.install", "demo", kw("version", "1.0-1")), `{"demo":{"old":"","new":"1.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.version", "demo"), `"1.0-1"`)
	pkgtestWant(t, run(e, "pkg.list_pkgs", kw("versions_as_list", true)), `{"demo":["1.0-1"]}`)
	pkgtestWant(t, run(e, "pkg.latest_version", "demo"), `"2.0-1"`)
	pkgtestWant(t, run(e, "pkg.install", kw("pkgs", []any{"demo"})), `{"demo":{"old":"1.0-1","new":"2.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.refresh_db"), `true`)
	pkgtestWant(t, run(e, "pkg.owner", "/usr/share/demo/README", "/etc/passwd"), `{"/usr/share/demo/README":"demo","/etc/passwd":""}`)
	pkgtestWant(t, run(e, "pkg.file_list", "demo", "nope"), `{"errors":[],"files":["/usr/share/demo/README","package nope is not installed"]}`)
	wantError(t, run(e, "pkg.install", "nope"), "ERROR: Error occurred installing package(s). Additional info follows:\n\nchanges:\n    ----------\nerrors:\n    - ")
	pkgtestWant(t, run(e, "pkg.purge", "demo"), `{"demo":{"new":"","old":"2.0-1"}}`) // yum keeps no configuration apart
	pkgtestWant(t, run(e, "pkg.remove", "demo"), `{}`)
	pkgtestWant(t, run(e, "pkg.install", "demo"), `{"demo":{"old":"","new":"2.0-1"}}`)
	testYumHold(t, e, tmp)
	testRpmInfoInstalled(t, e, tmp)
}

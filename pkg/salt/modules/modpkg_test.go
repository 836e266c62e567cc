package modules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// pkgtestName is the throwaway package the pkg tests build, install and
// purge; nothing else on the machine has this name.
const pkgtestName = "saltraet-t-demo"

// pkgtestRoot skips a test that changes the machine's packages unless it
// runs as root with dpkg and apt, and takes the cross-process lock of the
// tests that change the system.
func pkgtestRoot(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installs a test package: needs root")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	testutil.LockSystem(t)
	t.Cleanup(func() { exec.Command("dpkg", "--purge", pkgtestName).Run() })
}

// pkgtestDeb builds saltraet-t-demo at version into dir with dpkg-deb:
// one file under /usr/share and a conffile, so that a removed package
// keeps its configuration ("rc") until it is purged.
func pkgtestDeb(t *testing.T, dir, version string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	for _, d := range []string{"DEBIAN", "usr/share/" + pkgtestName, "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Salt RAET tests <t@example.invalid>\n"+
		"Section: misc\nHomepage: https://example.invalid/demo\nDescription: throwaway package of the Salt RAET tests\n a second line\n", pkgtestName, version)
	files := map[string]string{
		"DEBIAN/control":                       control,
		"DEBIAN/conffiles":                     "/etc/" + pkgtestName + ".conf\n",
		"etc/" + pkgtestName + ".conf":         "demo\n",
		"usr/share/" + pkgtestName + "/README": "hello\n",
	}
	for p, data := range files {
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(dir, fmt.Sprintf("%s_%s_all.deb", pkgtestName, version))
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, out)
	}
	return deb
}

// pkgtestRepo makes a local apt repository of the given debs and points
// apt at it alone (APT_CONFIG): sources, lists, caches and the
// auto-installed marks are in temp dirs, never the system's; dpkg's
// database is the real one, so what apt installs is really installed.
// It returns the repository's directory.
func pkgtestRepo(t *testing.T, versions ...string) string {
	t.Helper()
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	os.MkdirAll(repo, 0o755)
	for _, v := range versions {
		pkgtestDeb(t, repo, v)
	}
	cmd := exec.Command("dpkg-scanpackages", "-m", ".", "/dev/null")
	cmd.Dir = repo
	idx, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-scanpackages: %v", err)
	}
	os.WriteFile(filepath.Join(repo, "Packages"), idx, 0o644)
	for _, d := range []string{"lists/partial", "archives/partial", "cache", "sources.list.d", "preferences.d"} {
		os.MkdirAll(filepath.Join(tmp, d), 0o755)
	}
	os.WriteFile(filepath.Join(tmp, "sources.list"), []byte("deb [trusted=yes] file:"+repo+" ./\n"), 0o644)
	conf := fmt.Sprintf(`Dir::Etc::sourcelist "%[1]s/sources.list";
Dir::Etc::sourceparts "%[1]s/sources.list.d";
Dir::Etc::preferences "%[1]s/preferences";
Dir::Etc::preferencesparts "%[1]s/preferences.d";
Dir::State::lists "%[1]s/lists";
Dir::State::extended_states "%[1]s/extended_states";
Dir::Cache "%[1]s/cache";
Dir::Cache::archives "%[1]s/archives";
Acquire::Languages "none";
DPkg::Lock::Timeout "120";
`, tmp)
	os.WriteFile(filepath.Join(tmp, "apt.conf"), []byte(conf), 0o644)
	t.Setenv("APT_CONFIG", filepath.Join(tmp, "apt.conf"))
	return repo
}

// pkgtestWant checks that a call returned want (as JSON) with retcode 0.
func pkgtestWant(t *testing.T, r Result, want string) {
	t.Helper()
	if got := jsonOf(t, r.Return); got != want || r.Retcode != 0 {
		t.Fatalf("return %s (retcode %d)\nwant   %s", got, r.Retcode, want)
	}
}

func TestPkgFromDebFile(t *testing.T) {
	pkgtestRoot(t, "dpkg-deb", "apt-get", "dpkg-scanpackages")
	repo := pkgtestRepo(t) // an empty repository: apt must not look at the system's sources
	deb := pkgtestDeb(t, repo, "1.0-1")
	e := New(Options{})
	n := pkgtestName
	src := []any{body.Map{{Key: n, Value: deb}}}
	pkgtestWant(t, run(e, "pkg.install", kw("sources", src)), `{"`+n+`":{"old":"","new":"1.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.install", kw("sources", src)), `{}`)
	pkgtestWant(t, run(e, "pkg.version", n), `"1.0-1"`)
	pkgtestWant(t, run(e, "pkg.version", n, "saltraet-t-nope"), `{"`+n+`":"1.0-1","saltraet-t-nope":""}`)
	pkgtestWant(t, run(e, "pkg.version", "saltraet-t-de*"), `{"`+n+`":"1.0-1"}`)
	pkgtestWant(t, run(e, "pkg.version"), `{}`)
	r := run(e, "pkg.list_pkgs", kw("versions_as_list", true))
	if v, _ := r.Return.(body.Map).Get(n); jsonOf(t, v) != `["1.0-1"]` {
		t.Errorf("list_pkgs versions_as_list: %s is %s", n, jsonOf(t, v))
	}
	readme := "/usr/share/" + n + "/README"
	pkgtestWant(t, run(e, "pkg.owner", readme), `"`+n+`"`)
	pkgtestWant(t, run(e, "pkg.owner", readme, "/nonexistent"), `{"`+readme+`":"`+n+`","/nonexistent":""}`)
	pkgtestWant(t, run(e, "pkg.owner"), `""`)
	pkgtestWant(t, run(e, "pkg.file_list", n), `{"errors":[],"files":["/.","/etc","/etc/`+n+`.conf","/usr","/usr/share","/usr/share/`+n+`","`+readme+`"]}`)
	pkgtestWant(t, run(e, "pkg.file_list", "saltraet-t-nope"), `"Error:  dpkg-query: no packages found matching saltraet-t-nope"`)

	info := run(e, "pkg.info_installed", n).Return.(body.Map)
	got, _ := info.Map(n)
	keys := make([]string, len(got))
	for i, it := range got {
		keys[i] = it.Key
	}
	if strings.Join(keys, " ") != "name install_date architecture packager source version group url description" {
		t.Errorf("info_installed keys %q", keys)
	}
	if d, _ := got.String("description"); d != "throwaway package of the Salt RAET tests\n a second line\n" {
		t.Errorf("info_installed description %q", d)
	}
	wantError(t, run(e, "pkg.info_installed", "saltraet-t-nope"), "ERROR: Error getting packages information: dpkg-query: no packages found matching saltraet-t-nope")

	pkgtestWant(t, run(e, "pkg.hold", n), `{"`+n+`":{"name":"`+n+`","changes":{"old":"install","new":"hold"},"result":true,"comment":"Package `+n+` is now being held."}}`)
	pkgtestWant(t, run(e, "pkg.hold", kw("pkgs", []any{n})), `{"`+n+`":{"name":"`+n+`","changes":{},"result":true,"comment":"Package `+n+` is already set to be held."}}`)
	pkgtestWant(t, run(e, "pkg.version", n), `"1.0-1"`) // a held package is installed
	pkgtestWant(t, run(e, "pkg.unhold", n), `{"`+n+`":{"name":"`+n+`","changes":{"old":"hold","new":"install"},"result":true,"comment":"Package `+n+` is no longer being held."}}`)
	wantError(t, run(e, "pkg.hold"), "ERROR executing 'pkg.hold': One of name, pkgs, or sources must be specified.")

	pkgtestWant(t, run(e, "pkg.remove", n), `{"`+n+`":{"new":"","old":"1.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.list_pkgs", kw("removed", true)), `{"`+n+`":"1.0-1"}`) // its conffile is left
	pkgtestWant(t, run(e, "pkg.remove", n), `{}`)
	pkgtestWant(t, run(e, "pkg.purge", kw("pkgs", []any{n, "saltraet-t-nope"})), `{"removed":{"`+n+`":{"new":"","old":"1.0-1"}},"installed":{}}`)
	if _, err := os.Stat("/etc/" + n + ".conf"); !os.IsNotExist(err) {
		t.Errorf("purge left the conffile: %v", err)
	}
	pkgtestWant(t, run(e, "pkg.purge", n), `{}`)
}

func TestPkgFromLocalRepo(t *testing.T) {
	pkgtestRoot(t, "dpkg-deb", "apt-get", "dpkg-scanpackages")
	repo := pkgtestRepo(t, "1.0-1", "2.0-1")
	e := New(Options{})
	n := pkgtestName
	r := run(e, "pkg.refresh_db")
	if r.Retcode != 0 || !strings.Contains(jsonOf(t, r.Return), "file:"+repo) {
		t.Fatalf("refresh_db: %s", jsonOf(t, r.Return))
	}
	pkgtestWant(t, run(e, "pkg.latest_version", n), `"2.0-1"`)
	pkgtestWant(t, run(e, "pkg.install", n, kw("version", "1.0-1")), `{"`+n+`":{"old":"","new":"1.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.latest_version", n, kw("refresh", false)), `"2.0-1"`)
	pkgtestWant(t, run(e, "pkg.upgrade_available", n), `true`)
	if ups := run(e, "pkg.list_upgrades", kw("refresh", false)).Return.(body.Map); jsonOf(t, ups) != `{"`+n+`":"2.0-1"}` {
		t.Errorf("list_upgrades: %s (an upgrade of a system package would mean apt saw the system's sources)", jsonOf(t, ups))
	}
	run(e, "pkg.hold", n) // upgrade leaves a held package alone; install upgrades it and holds it again
	pkgtestWant(t, run(e, "pkg.upgrade", kw("refresh", false)), `{}`)
	pkgtestWant(t, run(e, "pkg.install", n, kw("version", "2.0-1")), `{"`+n+`":{"old":"1.0-1","new":"2.0-1"}}`)
	if sel, _ := exec.Command("dpkg", "--get-selections", n).Output(); !strings.Contains(string(sel), "hold") {
		t.Errorf("install did not hold %s again: %q", n, sel)
	}
	run(e, "pkg.unhold", n)
	pkgtestWant(t, run(e, "pkg.install", n, kw("version", "1.0-1")), `{"`+n+`":{"old":"2.0-1","new":"1.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.upgrade", kw("refresh", false)), `{"`+n+`":{"old":"1.0-1","new":"2.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.latest_version", n, "saltraet-t-nope", kw("refresh", false)), `{"`+n+`":"","saltraet-t-nope":""}`)
	pkgtestWant(t, run(e, "pkg.list_upgrades", kw("refresh", false)), `{}`)
	wantError(t, run(e, "pkg.latest_version", n, kw("repo", "x")), "ERROR executing 'pkg.latest_version': The 'repo' argument is invalid, use 'fromrepo' instead")

	wantError(t, run(e, "pkg.install", "saltraet-t-nope"), "ERROR: Problem encountered installing package(s). Additional info follows:\n\n"+
		"changes:\n    ----------\nerrors:\n    - E: Unable to locate package saltraet-t-nope")
	pkgtestWant(t, run(e, "pkg.install", kw("pkgs", []any{body.Map{{Key: n, Value: "2.0-1"}}}), kw("reinstall", true)),
		`{"`+n+`":{"old":"2.0-1","new":"2.0-1"}}`)
	pkgtestWant(t, run(e, "pkg.purge", n), `{"removed":{},"installed":{"`+n+`":{"new":"","old":"2.0-1"}}}`)
}

// sources may be salt:// URLs: the package is cached from the master's
// file server first, as pkg_resource.parse_targets does with cp.cache_file.
func TestPkgFromSaltSource(t *testing.T) {
	pkgtestRoot(t, "dpkg-deb", "apt-get", "dpkg-scanpackages")
	pkgtestRepo(t)
	deb, err := os.ReadFile(pkgtestDeb(t, t.TempDir(), "1.0-1"))
	if err != nil {
		t.Fatal(err)
	}
	e, fm, _ := cpEnv(t, Options{})
	fm.Write("base", "debs/demo.deb", deb)
	n := pkgtestName
	pkgtestWant(t, run(e, "pkg.install", kw("sources", []any{body.Map{{Key: n, Value: "salt://debs/demo.deb"}}})), `{"`+n+`":{"old":"","new":"1.0-1"}}`)
	wantError(t, run(e, "pkg.install", kw("sources", []any{body.Map{{Key: n, Value: "salt://debs/nope.deb"}}})), "ERROR: Unable to cache salt://debs/nope.deb")
	wantError(t, run(e, "pkg.install", kw("sources", []any{body.Map{{Key: n, Value: "demo.deb"}}})),
		"ERROR executing 'pkg.install': Path demo.deb for package "+n+" is either not absolute or an invalid protocol")
	pkgtestWant(t, run(e, "pkg.purge", n+",saltraet-t-nope"), `{"removed":{},"installed":{"`+n+`":{"new":"","old":"1.0-1"}}}`)
}

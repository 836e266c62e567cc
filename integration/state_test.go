package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
)

// stateTree is the file_roots and pillar_roots applied here and, by hand,
// with Salt 3006.3 (testdata/README.md); the test adds the pillar
// stateroot, the directory the states write under.
var stateTree = filepath.Join("testdata", "statetree")

// stateCluster is a master serving a copy of the state tree, with the
// extra files under its file_roots, to m1 (grain role: web); it returns
// the directory the states write under.
func stateCluster(t *testing.T, extra ...map[string]string) (*cluster, string) {
	t.Helper()
	dir := t.TempDir()
	files, pillars, root := filepath.Join(dir, "files"), filepath.Join(dir, "pillar"), filepath.Join(dir, "out")
	copyTree(t, filepath.Join(stateTree, "files"), files)
	copyTree(t, filepath.Join(stateTree, "pillar"), pillars)
	writeFiles(t, pillars, map[string]string{"base/root.sls": "stateroot: " + root + "\n"})
	for _, fs := range extra {
		writeFiles(t, files, fs)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, true, rootsConf("file_roots", files), rootsConf("pillar_roots", pillars))
	c.addMinion("m1", "grains:\n  role: web\n")
	c.waitReady("m1")
	return c, root
}

// stateRun is one state's return, as Salt's JSON gives it.
type stateRun struct {
	Name    string         `json:"name"`
	Result  *bool          `json:"result"`
	Comment string         `json:"comment"`
	Changes map[string]any `json:"changes"`
	RunNum  int            `json:"__run_num__"`
	ID      string         `json:"__id__"`
	SLS     string         `json:"__sls__"`
}

// apply runs salt-raet m1 <args> --out json and reads m1's state returns
// by tag, with the command's exit code and stderr.
func (c *cluster) apply(args ...string) (map[string]stateRun, result) {
	c.t.Helper()
	r := c.salt(append(append([]string{"m1"}, args...), "--out", "json", "--static")...)
	var got map[string]map[string]stateRun
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		c.t.Fatalf("salt-raet m1 %v: %q %q: %v", args, r.stdout, r.stderr, err)
	}
	return got["m1"], r
}

// is says whether a result is true, false or None (nil).
func is(r *bool, want *bool) bool {
	if r == nil || want == nil {
		return r == want
	}
	return *r == *want
}

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)

// expect checks one state's result and that its comment contains comment.
func expect(t *testing.T, runs map[string]stateRun, tag string, result *bool, comment string, changed bool) {
	t.Helper()
	s, ok := runs[tag]
	if !ok {
		keys := make([]string, 0, len(runs))
		for k := range runs {
			keys = append(keys, k)
		}
		t.Errorf("no return for %s; have %v", tag, keys)
		return
	}
	if !is(s.Result, result) || !strings.Contains(s.Comment, comment) || (len(s.Changes) > 0) != changed {
		t.Errorf("%s: result %v comment %q changes %v; want result %v, comment with %q, changed %v",
			tag, fmtResult(s.Result), s.Comment, s.Changes, fmtResult(result), comment, changed)
	}
}

func fmtResult(r *bool) string {
	if r == nil {
		return "None"
	}
	return fmt.Sprint(*r)
}

// saltRoot is where the states wrote when Salt 3006.3 made the goldens.
const saltRoot = "/tmp/stcmp/out"

// timing are the lines of a return that differ from run to run: the
// start_time, duration and pid fields of --out json and the highstate
// outputter's Started, Duration, pid (its value on the next line) and
// total run time.
var timing = regexp.MustCompile(`(?m)^.*"(start_time|duration|pid)": .*\n|^ +(Started|Duration): .*\n|^ +pid:\n.*\n|^Total run time: .*\n`)

// terseTiming is the timing of a state's line in --state-output=terse.
var terseTiming = regexp.MustCompile(`(?m) - Started: [0-9:.]+ - Duration: [0-9.]+ ms$`)

// sameAsSalt compares what salt-raet printed for m1 with Salt 3006.3's
// salt-call output of the same tree (testdata/README.md), byte for byte
// once the paths, the minion's name and the timing are made alike: key
// order, comments, changes and layout.
func sameAsSalt(t *testing.T, ours, root, golden string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", golden))
	if err != nil {
		t.Fatal(err)
	}
	want := terseTiming.ReplaceAllString(timing.ReplaceAllString(string(b), ""), "")
	want = strings.NewReplacer(`"local"`, `"m1"`, "local:\n", "m1:\n", "Summary for local\n", "Summary for m1\n").Replace(want)
	if root != "" {
		ours = strings.ReplaceAll(ours, root, saltRoot)
	}
	got := terseTiming.ReplaceAllString(timing.ReplaceAllString(ours, ""), "")
	if got != want {
		t.Errorf("not as Salt 3006.3's %s:\n%s\nwant:\n%s", golden, got, want)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// siteTags are the tags of site/init.sls under root.
func siteTags(root string) (dir, conf, reload, init string) {
	return "file_|-site_dir_|-" + root + "/site_|-directory",
		"file_|-site_conf_|-" + root + "/site/app.conf_|-managed",
		"cmd_|-site_reload_|-echo reloaded >> " + root + "/reloads_|-wait",
		"cmd_|-site_init_|-touch " + root + "/site/initialized_|-run"
}

// The site tree applied over the road: test=True predicts and changes
// nothing, the apply manages the template with a pillar value and a
// grain, the watch fires the cmd.wait, creates holds the second time, and
// the cmd.wait fires again only once the file has changed.
func TestStateApplySite(t *testing.T) {
	c, root := stateCluster(t)
	dir, conf, reload, init := siteTags(root)
	confPath := filepath.Join(root, "site", "app.conf")

	runs, r := c.apply("state.apply", "site", "test=True")
	if r.code != 0 || len(runs) != 4 {
		t.Fatalf("test=True: exit %d, %d returns: %s %s", r.code, len(runs), r.stdout, r.stderr)
	}
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-1-test.json")
	expect(t, runs, dir, nil, "The following files will be changed:\n"+root+"/site: directory - new\n", true)
	expect(t, runs, conf, nil, "The file "+confPath+" is set to be changed\nNote: No changes made", true)
	expect(t, runs, reload, nil, `Command "echo reloaded >> `+root+`/reloads" would have been executed`, true)
	expect(t, runs, init, nil, "would have been executed", true)
	if exists(filepath.Join(root, "site")) || exists(filepath.Join(root, "reloads")) {
		t.Errorf("test=True changed the disk")
	}

	runs, r = c.apply("state.apply", "site")
	if r.code != 0 {
		t.Fatalf("apply: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-2-apply.json")
	expect(t, runs, dir, yes, "", true)
	expect(t, runs, conf, yes, "File "+confPath+" updated", true)
	expect(t, runs, reload, yes, `Command "echo reloaded`, true)
	expect(t, runs, init, yes, `Command "touch`, true)
	if got := readFile(t, confPath); got != "# managed by salt\nport = 8080\nrole = web\n" {
		t.Errorf("app.conf: %q", got)
	}
	// The run numbers of Salt 3006.3: the watch's mod_watch takes one.
	for tag, n := range map[string]int{dir: 0, conf: 1, reload: 3, init: 4} {
		if runs[tag].RunNum != n || runs[tag].SLS != "site" {
			t.Errorf("%s: __run_num__ %d __sls__ %q, want %d site", tag, runs[tag].RunNum, runs[tag].SLS, n)
		}
	}

	runs, r = c.apply("state.apply", "site")
	if r.code != 0 {
		t.Fatalf("second apply: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-3-again.json")
	expect(t, runs, dir, yes, "is in the correct state", false)
	expect(t, runs, conf, yes, "is in the correct state", false)
	expect(t, runs, reload, yes, "", false)
	expect(t, runs, init, yes, root+"/site/initialized exists", false)
	if got := readFile(t, filepath.Join(root, "reloads")); got != "reloaded\n" {
		t.Errorf("reloads after the second apply: %q", got)
	}

	if err := os.WriteFile(confPath, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runs, r = c.apply("state.apply", "site")
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-4-changed.json")
	expect(t, runs, conf, yes, "updated", true)
	expect(t, runs, reload, yes, `Command "echo reloaded`, true)
	if got := readFile(t, filepath.Join(root, "reloads")); got != "reloaded\nreloaded\n" {
		t.Errorf("reloads after the file changed: %q", got)
	}
}

// A failing state fails the job (exit 1 as Salt 3006): what requires it
// is skipped with Salt's comment, what is onfail of it runs.
func TestStateApplyFailure(t *testing.T) {
	c, root := stateCluster(t)
	runs, r := c.apply("state.apply", "broken")
	if r.code != 1 || r.stderr != "ERROR: Minions returned with non-zero exit code\n" {
		t.Errorf("exit %d stderr %q, want 1 and Salt's error", r.code, r.stderr)
	}
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-5-broken.json")
	expect(t, runs, "cmd_|-broken_|-exit 3_|-run", no, `Command "exit 3" run`, true)
	expect(t, runs, "cmd_|-after_broken_|-touch "+root+"/after_broken_|-run", no,
		"One or more requisite failed: broken.broken", false)
	expect(t, runs, "cmd_|-rescue_|-touch "+root+"/rescued_|-run", yes, `Command "touch`, true)
	if exists(filepath.Join(root, "after_broken")) || !exists(filepath.Join(root, "rescued")) {
		t.Errorf("after_broken ran or rescue did not")
	}
}

// The highstate from top.sls applies site; without --out the return is
// the highstate outputter's, as Salt 3006.3's, on the first apply (with
// the changes), the second (none) and a failing sls.
func TestStateHighstate(t *testing.T) {
	c, root := stateCluster(t)
	first := c.salt("m1", "state.highstate")
	if first.code != 0 {
		t.Fatalf("highstate: exit %d: %s %s", first.code, first.stdout, first.stderr)
	}
	sameAsSalt(t, first.stdout, root, "salt-3006.3-state-6-highstate.txt")
	for _, want := range []string{"m1:\n", "          ID: site_conf\n", "    Function: file.managed\n",
		"      Result: True\n", "Summary for m1\n", "Succeeded: 4 (changed=4)\n", "Failed:    0\n"} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("highstate output lacks %q:\n%s", want, first.stdout)
		}
	}

	runs, r := c.apply("state.apply")
	if r.code != 0 || len(runs) != 4 {
		t.Fatalf("highstate again: exit %d, %d returns: %s %s", r.code, len(runs), r.stdout, r.stderr)
	}
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-3-again.json")
	sameAsSalt(t, c.salt("m1", "state.highstate").stdout, root, "salt-3006.3-state-7-highstate-again.txt")
	broken := c.salt("m1", "state.apply", "broken")
	sameAsSalt(t, broken.stdout, root, "salt-3006.3-state-8-broken.txt")
	if broken.code != 1 {
		t.Errorf("broken with the highstate outputter: exit %d", broken.code)
	}
}

// probeDeb builds a .deb of the package saltraet-it-probe 1.0-1 (one file
// under /usr/share/doc) with dpkg-deb, as the pkg test installs it.
func probeDeb(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "pkg"), map[string]string{
		"DEBIAN/control": "Package: saltraet-it-probe\nVersion: 1.0-1\nArchitecture: all\n" +
			"Maintainer: Salt RAET tests <tests@example.invalid>\nDescription: a package the integration tests install and remove\n",
		"usr/share/doc/saltraet-it-probe/README": "installed by the saltraet integration tests\n",
	})
	for _, d := range []string{"pkg", "pkg/DEBIAN", "pkg/usr", "pkg/usr/share", "pkg/usr/share/doc", "pkg/usr/share/doc/saltraet-it-probe"} {
		os.Chmod(filepath.Join(dir, d), 0o755)
	}
	os.Chmod(filepath.Join(dir, "pkg/DEBIAN/control"), 0o644)
	os.Chmod(filepath.Join(dir, "pkg/usr/share/doc/saltraet-it-probe/README"), 0o644)
	deb := filepath.Join(dir, "saltraet-it-probe_1.0-1_all.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", filepath.Join(dir, "pkg"), deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	os.Chmod(dir, 0o755)
	return deb
}

// applyDpkg is apply, again while apt-get found the dpkg lock taken:
// other tests on the machine (pkg/salt/states' own, other checkouts')
// install packages too, and Salt's apt-get call does not wait for the
// lock. A failure that had the lock changed nothing, so it is retried.
func (c *cluster) applyDpkg(args ...string) (map[string]stateRun, result) {
	c.t.Helper()
	var runs map[string]stateRun
	var r result
	eventually(c.t, "apt-get gets the dpkg lock", func() (bool, string) {
		runs, r = c.apply(args...)
		for _, s := range runs {
			if strings.Contains(s.Comment, "Could not get lock /var/lib/dpkg/") {
				return false, s.Comment
			}
		}
		return true, ""
	})
	return runs, r
}

// pkg.installed of a .deb the test builds, then pkg.removed of it, with
// Salt 3006.3's comments and changes; only as root with dpkg and apt-get.
func TestStatePkg(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("pkg.installed and pkg.removed change the machine's packages: run the tests as root")
	}
	for _, tool := range []string{"dpkg-deb", "dpkg-query", "apt-get"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s here: pkg.installed of a .deb needs dpkg and apt", tool)
		}
	}
	testutil.LockSystem(t) // pkg/salt/states' own package scenarios run beside this
	const name = "saltraet-it-probe"
	if exec.Command("dpkg-query", "-W", name).Run() == nil {
		t.Fatalf("%s is installed before the test", name)
	}
	deb := probeDeb(t)
	t.Cleanup(func() { exec.Command("dpkg", "--purge", name).Run() })
	c, _ := stateCluster(t, map[string]string{
		"base/probe.sls":   "probe:\n  pkg.installed:\n    - name: " + name + "\n    - sources:\n      - " + name + ": " + deb + "\n",
		"base/noprobe.sls": "noprobe:\n  pkg.removed:\n    - name: " + name + "\n",
	})
	installed, removed := "pkg_|-probe_|-"+name+"_|-installed", "pkg_|-noprobe_|-"+name+"_|-removed"

	runs, r := c.applyDpkg("state.apply", "probe")
	sameAsSalt(t, r.stdout, "", "salt-3006.3-state-pkg-1-probe-install.json")
	expect(t, runs, installed, yes, "The following packages were installed/updated: "+name, true)
	if ch := fmt.Sprint(runs[installed].Changes); r.code != 0 || ch != "map["+name+":map[new:1.0-1 old:]]" {
		t.Errorf("install: exit %d changes %s", r.code, ch)
	}
	if exec.Command("dpkg-query", "-W", name).Run() != nil {
		t.Errorf("%s is not installed after pkg.installed", name)
	}
	runs, r = c.applyDpkg("state.apply", "probe")
	sameAsSalt(t, r.stdout, "", "salt-3006.3-state-pkg-2-probe-again.json")
	expect(t, runs, installed, yes, "All specified packages are already installed", false)

	runs, r = c.apply("state.apply", "noprobe", "test=True")
	sameAsSalt(t, r.stdout, "", "salt-3006.3-state-pkg-3-noprobe-test.json")
	expect(t, runs, removed, nil, "The following packages will be removed: "+name+".", true)
	runs, r = c.applyDpkg("state.apply", "noprobe")
	sameAsSalt(t, r.stdout, "", "salt-3006.3-state-pkg-4-noprobe-remove.json")
	expect(t, runs, removed, yes, "All targeted packages were removed.", true)
	if ch := fmt.Sprint(runs[removed].Changes); r.code != 0 || ch != "map["+name+":map[new: old:1.0-1]]" {
		t.Errorf("remove: exit %d changes %s", r.code, ch)
	}
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", name).Output(); strings.Contains(string(out), "installed") && !strings.Contains(string(out), "not-installed") && !strings.Contains(string(out), "config-files") {
		t.Errorf("%s still installed after pkg.removed: %s", name, out)
	}
}

// The 50 states of the figures' tree (Jinja loops, file.directory,
// file.managed from a template with context, cmd.run with creates, test
// states) return as Salt 3006.3's; applied again, the terse highstate
// output is Salt's too.
func TestStateBenchTreeAsSalt(t *testing.T) {
	c, root := stateCluster(t)
	_, r := c.apply("state.apply", "bench")
	sameAsSalt(t, r.stdout, root, "salt-3006.3-state-bench-apply.json")
	out := c.salt("m1", "state.apply", "bench", "--state-output=terse")
	sameAsSalt(t, out.stdout, root, "salt-3006.3-state-bench-again-terse.txt")
	if out.code != 0 {
		t.Errorf("exit %d: %s", out.code, out.stderr)
	}
}

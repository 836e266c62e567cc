package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

const testJID = "20261207120000123456"

// confDir writes a master config under a temp root with a job cache
// holding one test.echo job that m1 answered; no master runs, so the runs'
// events are lost and the runners still run.
func confDir(t *testing.T) (conf string, cache *job.Cache) {
	t.Helper()
	root := t.TempDir()
	conf = filepath.Join(root, "etc")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	text := "root_dir: " + root + "\nid: boss\n"
	if err := os.WriteFile(filepath.Join(conf, "master"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cache, err := job.OpenCache(filepath.Join(root, "var", "cache", "salt", "master"), "")
	if err != nil {
		t.Fatal(err)
	}
	load := body.Map{{Key: "tgt", Value: "m*"}, {Key: "fun", Value: "test.echo"}, {Key: "arg", Value: []any{"hello"}},
		{Key: "tgt_type", Value: "glob"}, {Key: "jid", Value: testJID}, {Key: "user", Value: "root"}}
	if err := cache.SaveLoad(testJID, load, []string{"m1", "m2"}); err != nil {
		t.Fatal(err)
	}
	if err := cache.SaveReturn(testJID, "m1", body.Map{{Key: "return", Value: "hello"}, {Key: "retcode", Value: 0}, {Key: "success", Value: true}}); err != nil {
		t.Fatal(err)
	}
	return conf, cache
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runContext(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestLookupJIDPrintsNested(t *testing.T) {
	conf, _ := confDir(t)
	out, errs, code := runCLI(t, "-c", conf, "jobs.lookup_jid", testJID)
	if code != 0 || out != "m1:\n    hello\n" {
		t.Fatalf("jobs.lookup_jid: %d %q %q", code, out, errs)
	}
	out, _, code = runCLI(t, "-c", conf, "jobs.lookup_jid", testJID, "display_progress=True")
	if code != 0 || !strings.HasPrefix(out, "event:\n    ----------\n    _stamp:\n") ||
		!strings.Contains(out, "    message:\n        Querying returner: local_cache\nsuffix:\n    progress\n") ||
		!strings.HasSuffix(out, "    message:\n        m1\nsuffix:\n    progress\nm1:\n    hello\n") {
		t.Fatalf("jobs.lookup_jid display_progress=True: %d %q", code, out)
	}
	out, _, code = runCLI(t, "-c", conf, "jobs.lookup_jid", testJID, "missing=True", "--out", "json")
	if code != 0 || out != "{\n    \"m1\": \"hello\",\n    \"m2\": \"Minion did not return\"\n}\n" {
		t.Fatalf("jobs.lookup_jid missing=True --out json: %d %q", code, out)
	}
}

// Each run is kept in the job cache under the master's id, as Salt's
// runner_returns keeps it, and jobs.list_jobs lists it.
func TestRunsAreKeptInTheJobCache(t *testing.T) {
	conf, cache := confDir(t)
	if _, _, code := runCLI(t, "-c", conf, "--jid", "20261207130000000000", "jobs.exit_success", testJID); code != 0 {
		t.Fatal(code)
	}
	load, err := cache.LoadLoad("20261207130000000000")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := load.String("id"); id != "boss" {
		t.Errorf("load id %q", id)
	}
	if fun, _ := load.String("fun"); fun != "runner.jobs.exit_success" {
		t.Errorf("load fun %q", fun)
	}
	rets, err := cache.Returns("20261207130000000000")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := rets["boss"].Map("return")
	ret, _ := data.Map("return")
	if ok, _ := ret.Bool("m1"); !ok || !ret.Has("m2") {
		t.Errorf("stored return %v", rets)
	}
	out, _, _ := runCLI(t, "-c", conf, "jobs.list_jobs", "search_function=runner.*", "--out", "json", "--out-indent", "-1")
	if !strings.Contains(out, `"20261207130000000000": {"Function": "runner.jobs.exit_success", "Arguments": [], "Target": "boss", "Target-type": "list"`) {
		t.Errorf("list_jobs: %s", out)
	}
}

func TestUnknownRunnerAndDocs(t *testing.T) {
	conf, _ := confDir(t)
	out, _, code := runCLI(t, "-c", conf, "foo.bar")
	if code != 0 || out != "'foo.bar' is not available.\n" {
		t.Errorf("foo.bar: %d %q", code, out)
	}
	// A name that starts others': their documentation, as Salt prints it.
	out, _, code = runCLI(t, "-c", conf, "jobs.list")
	if code != 0 || !strings.HasPrefix(out, "jobs.list_job:\n    \n        List a specific job given by its jid\n") || !strings.Contains(out, "\njobs.list_jobs:\n") {
		t.Errorf("jobs.list: %d %q", code, out)
	}
	// A keyword argument the runner does not take: refused before it
	// runs, with its documentation.
	out, _, code = runCLI(t, "-c", conf, "jobs.lookup_jid", testJID, "foo=bar")
	if code != 0 || !strings.HasPrefix(out, "jobs.lookup_jid:\n    \n        Return the printout from a previously executed job\n") {
		t.Errorf("jobs.lookup_jid foo=bar: %d %q", code, out)
	}
	out, _, code = runCLI(t, "-c", conf, "-d", "jobs.exit_success")
	if code != 0 || !strings.HasPrefix(out, "jobs.exit_success:\n\n    Check if a job has been executed and exit successfully\n") {
		t.Errorf("-d jobs.exit_success: %d %q", code, out)
	}
	if _, errs, code := runCLI(t, "-c", conf, "-d", "jobs.active", "jobs.last_run"); code != 64 || !strings.Contains(errs, "You can only get documentation for one method at one time") {
		t.Errorf("-d with two: %d %q", code, errs)
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	conf, _ := confDir(t)
	out, _, code := runCLI(t, "-c", conf, "jobs.lookup_jid")
	if code != 0 || !strings.HasPrefix(out, "\nPassed invalid arguments: lookup_jid() missing 1 required positional argument: 'jid'\n\nUsage:\n\n    Return the printout from a previously executed job\n") {
		t.Errorf("jobs.lookup_jid without a jid: %d %q", code, out)
	}
	out, _, code = runCLI(t, "-c", conf, "jobs.lookup_jid", testJID, "ext_source=mysql")
	if code != 1 || out != "Exception occurred in runner jobs.lookup_jid: KeyError: 'mysql.get_load'\n" {
		t.Errorf("ext_source=mysql: %d %q", code, out)
	}
	for _, args := range [][]string{{"--out", "bogus", "jobs.active"}, {"--no-color", "--force-color", "jobs.active"}, {"-l", "loud", "jobs.active"}, {"--bogus"}, {"--jid", "123", "jobs.active"}} {
		if _, errs, code := runCLI(t, append([]string{"-c", conf}, args...)...); code != 64 || !strings.Contains(errs, "Usage: salt-run-raet [options] <function> [arguments]") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
	if out, _, code := runCLI(t, "--version"); code != 0 || !strings.HasPrefix(out, "salt-run-raet ") {
		t.Errorf("--version: %d %q", code, out)
	}
	// jobs.active needs the master: without one it prints why, as Salt
	// prints a SaltClientError, and finds no job.
	out, _, code = runCLI(t, "-c", conf, "jobs.active")
	if code != 0 || !strings.Contains(out, "cannot read the master's access key") {
		t.Errorf("jobs.active without a master: %d %q", code, out)
	}
}

func TestOutFileAndQuiet(t *testing.T) {
	conf, _ := confDir(t)
	file := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "-c", conf, "--out-file", file, "jobs.lookup_jid", testJID)
	got, _ := os.ReadFile(file)
	if code != 0 || out != "" || string(got) != "m1:\n    hello\n" {
		t.Fatalf("--out-file: %d %q, file %q", code, out, got)
	}
	runCLI(t, "-c", conf, "--out-file", file, "--out-file-append", "jobs.lookup_jid", testJID, "--out", "json")
	got, _ = os.ReadFile(file)
	if string(got) != "m1:\n    hello\n{\n    \"m1\": \"hello\"\n}\n" {
		t.Fatalf("--out-file-append: %q", got)
	}
	if out, _, code := runCLI(t, "-c", conf, "--quiet", "jobs.lookup_jid", testJID); code != 0 || out != "" {
		t.Fatalf("--quiet: %d %q", code, out)
	}
}

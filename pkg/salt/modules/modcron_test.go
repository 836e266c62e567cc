package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// fakeCrontab puts the states' fake crontab(1) on PATH (the one Salt
// 3006.3 was run with for the same calls), which keeps each user's table
// in a temp dir, so no real crontab changes. It returns that dir.
func fakeCrontab(t *testing.T) string {
	script, err := os.ReadFile("../states/testdata/compare/fake-crontab.sh")
	if err != nil {
		t.Fatal(err)
	}
	fakeCommand(t, "crontab", string(script))
	tabs := t.TempDir()
	t.Setenv("FAKECRON_DIR", tabs)
	return tabs
}

// TestCronSalt3006: the calls and returns of a session compared with Salt
// 3006.3 on the same crontab (its quirks included: setting a job without
// an identifier again says "updated").
func TestCronSalt3006(t *testing.T) {
	tabs := fakeCrontab(t)
	www := filepath.Join(tabs, "www")
	os.WriteFile(www, []byte("MAILTO=ops\n0 1 * * * /old/job\n"), 0o600)
	e := New(Options{})
	wantOK(t, run(e, "cron.list_tab", "www"), body.Map{{Key: "pre", Value: []any{"MAILTO=ops", "0 1 * * * /old/job"}},
		{Key: "crons", Value: []any{}}, {Key: "special", Value: []any{}}, {Key: "env", Value: []any{}}})
	job := func(min, hour, cmd string, extra ...any) Result {
		return run(e, "cron.set_job", append([]any{"www", min, hour, "*", "*", "*", cmd}, extra...)...)
	}
	for _, step := range []struct {
		r    Result
		want string
	}{
		{job("5", "*", "/usr/bin/backup"), "new"},
		{job("5", "*", "/usr/bin/backup"), "updated"},
		{job("6", "*", "/usr/bin/backup"), "updated"},
		{job("6", "*", "/usr/bin/backup", kw("comment", "nightly")), "updated"},
		{job("7", "2", "/usr/bin/other", kw("identifier", "oth")), "new"},
		{job("7", "3", "/usr/bin/other2", kw("identifier", "oth")), "updated"},
		{job("7", "3", "/usr/bin/other2", kw("identifier", "oth")), "present"},
	} {
		wantOK(t, step.r, step.want)
	}
	tab, _ := os.ReadFile(www)
	want := "MAILTO=ops\n0 1 * * * /old/job\n# Lines below here are managed by Salt, do not edit\n# nightly\n6 * * * * /usr/bin/backup\n# SALT_CRON_IDENTIFIER:oth\n7 3 * * * /usr/bin/other2\n"
	if string(tab) != want {
		t.Fatalf("crontab:\n%q\nwant\n%q", tab, want)
	}
	lt := mapOf(t, run(e, "cron.list_tab", "www").Return)
	crons, _ := lt.Get("crons")
	if !reflectEqual(crons.([]any)[1], body.Map{{Key: "minute", Value: "7"}, {Key: "hour", Value: "3"}, {Key: "daymonth", Value: "*"},
		{Key: "month", Value: "*"}, {Key: "dayweek", Value: "*"}, {Key: "identifier", Value: "oth"}, {Key: "cmd", Value: "/usr/bin/other2"},
		{Key: "comment", Value: ""}, {Key: "commented", Value: false}}) {
		t.Errorf("list_tab crons = %#v", crons)
	}
	wantOK(t, run(e, "cron.rm_job", "www", "/usr/bin/backup", kw("minute", "9")), "absent")
	wantOK(t, run(e, "cron.rm_job", "www", "/usr/bin/backup", kw("minute", "6")), "removed")
	wantOK(t, run(e, "cron.rm", "www", "x", kw("identifier", "oth")), "removed")
	wantOK(t, run(e, "cron.raw_cron", "www"), "MAILTO=ops\n0 1 * * * /old/job\n# Lines below here are managed by Salt, do not edit\n")
}

func reflectEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

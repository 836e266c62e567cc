package states

import (
	"context"
	"os"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// fakeCrontab keeps each user's crontab as crontab(1) would: -l prints
// it (nothing when there is none), a file argument installs it.
type fakeCrontab struct{ tabs map[string]string }

func (f *fakeCrontab) run(_ context.Context, argv []string, _ []string) (string, string, int, error) {
	usr := "root"
	args := argv[1:]
	if len(args) >= 2 && args[0] == "-u" {
		usr, args = args[1], args[2:]
	}
	if args[0] == "-l" {
		tab, ok := f.tabs[usr]
		if !ok {
			return "", "no crontab for " + usr + "\n", 1, nil
		}
		return tab, "", 0, nil
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return "", err.Error(), 1, nil
	}
	f.tabs[usr] = string(b)
	return "", "", 0, nil
}

func TestCron(t *testing.T) {
	f := &fakeCrontab{tabs: map[string]string{"www": "MAILTO=ops\n0 1 * * * /old/job\n"}}
	prev := cronRunner
	cronRunner = f.run
	t.Cleanup(func() { cronRunner = prev })
	env := testEnv()
	job := body.Map{{Key: "user", Value: "www"}, {Key: "minute", Value: int64(5)}, {Key: "hour", Value: "*/2"}}

	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", job, true), "None", "Cron /usr/bin/backup is set to be added", "{}")
	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", job, false), "True", "Cron /usr/bin/backup added to www's crontab", `{"www":"/usr/bin/backup"}`)
	want := "MAILTO=ops\n0 1 * * * /old/job\n" + cronTag + "\n# SALT_CRON_IDENTIFIER:/usr/bin/backup\n5 */2 * * * /usr/bin/backup\n"
	if f.tabs["www"] != want {
		t.Fatalf("crontab:\n%s\nwant\n%s", f.tabs["www"], want)
	}
	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", job, true), "True", "Cron /usr/bin/backup already present", "{}")
	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", job, false), "True", "Cron /usr/bin/backup already present", "{}")

	moved := body.Map{{Key: "user", Value: "www"}, {Key: "minute", Value: int64(30)}, {Key: "comment", Value: "nightly"}}
	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", moved, true), "None", "Cron /usr/bin/backup is set to be updated", "{}")
	wantRet(t, run(t, env, "cron.present", "/usr/bin/backup", moved, false), "True", "Cron /usr/bin/backup updated", `{"www":"/usr/bin/backup"}`)
	want = "MAILTO=ops\n0 1 * * * /old/job\n" + cronTag + "\n# nightly SALT_CRON_IDENTIFIER:/usr/bin/backup\n30 * * * * /usr/bin/backup\n"
	if f.tabs["www"] != want {
		t.Fatalf("updated crontab:\n%s\nwant\n%s", f.tabs["www"], want)
	}

	gone := body.Map{{Key: "user", Value: "www"}}
	wantRet(t, run(t, env, "cron.absent", "/usr/bin/backup", gone, true), "None", "Cron /usr/bin/backup is set to be removed", "{}")
	wantRet(t, run(t, env, "cron.absent", "/usr/bin/backup", gone, false), "True", "Cron /usr/bin/backup removed from www's crontab", `{"www":"/usr/bin/backup"}`)
	wantRet(t, run(t, env, "cron.absent", "/usr/bin/backup", gone, false), "True", "Cron /usr/bin/backup already absent", "{}")
	wantRet(t, run(t, env, "cron.absent", "/usr/bin/backup", gone, true), "True", "Cron /usr/bin/backup is absent", "{}")
	if f.tabs["www"] != "MAILTO=ops\n0 1 * * * /old/job\n"+cronTag+"\n" {
		t.Fatalf("after removal:\n%s", f.tabs["www"])
	}
	// A crontab that does not exist yet (of a user the tests do not run as).
	wantRet(t, run(t, env, "cron.present", "date", body.Map{{Key: "user", Value: "daemon"}}, false), "True", "Cron date added to daemon's crontab", `{"daemon":"date"}`)
	if f.tabs["daemon"] != cronTag+"\n# SALT_CRON_IDENTIFIER:date\n* * * * * date\n" {
		t.Fatalf("new crontab:\n%q", f.tabs["daemon"])
	}
}

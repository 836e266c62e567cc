package cron

import (
	"context"
	"os"
	"strings"
	"testing"
)

// memTab is a crontab(1) over a map, for one user other than the current.
type memTab map[string]string

func (m memTab) run(_ context.Context, argv []string, _ []string) (string, string, int, error) {
	usr := argv[2] // crontab -u <usr> ...
	if argv[3] == "-l" {
		if t, ok := m[usr]; ok {
			return t, "", 0, nil
		}
		return "", "no crontab for " + usr, 1, nil
	}
	b, err := os.ReadFile(argv[3])
	m[usr] = string(b)
	return "", "", 0, err
}

func TestSetJobSpecialAndTimes(t *testing.T) {
	m := memTab{"saltraet-t-x": Tag + "\n@reboot /bin/boot\n"}
	ctx := context.Background()
	a := SetArgs{User: "saltraet-t-x", Minute: "0", Hour: "*", Daymonth: "*", Month: "*", Dayweek: "*", Cmd: "/bin/boot"}
	// A matching special job is replaced by a timed one, as set_job
	// compares its (absent) minute with the new one.
	if r := SetJob(ctx, m.run, a); r != "updated" {
		t.Fatalf("set_job over a special job = %q", r)
	}
	if got := m["saltraet-t-x"]; strings.Contains(got, "@reboot") || !strings.Contains(got, "0 * * * * /bin/boot") {
		t.Fatalf("crontab %q", got)
	}
	six, zero := "6", "0"
	if r := RmJob(ctx, m.run, "saltraet-t-x", "/bin/boot", nil, &TimeMatch{Minute: &six}); r != "absent" {
		t.Errorf("rm_job at another minute = %q", r)
	}
	if r := RmJob(ctx, m.run, "saltraet-t-x", "/bin/boot", nil, &TimeMatch{Minute: &zero}); r != "removed" {
		t.Errorf("rm_job at its minute = %q", r)
	}
	if len(List(ctx, m.run, "saltraet-t-x").Crons) != 0 {
		t.Errorf("job left: %q", m["saltraet-t-x"])
	}
	for _, c := range []struct {
		old, neu *string
		want     bool
	}{{nil, nil, false}, {nil, ptr("x"), true}, {ptr("x"), nil, false}, {ptr("*"), ptr("random"), true}, {ptr("5"), ptr("random"), false}} {
		if got := ptrNeedsChange(c.old, c.neu); got != c.want {
			t.Errorf("ptrNeedsChange(%v, %v) = %v", c.old, c.neu, got)
		}
	}
}

package modules

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestDisk: disk.usage and disk.percent read df as df prints it.
func TestDisk(t *testing.T) {
	e := New(Options{})
	out, err := exec.Command("df", "-P", "/").Output()
	if err != nil {
		t.Skipf("df: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	mount := f[len(f)-1]
	usage := mapOf(t, run(e, "disk.usage").Return)
	u, ok := usage.Get(mount)
	if !ok {
		t.Fatalf("disk.usage lacks %s: %v", mount, usage.Keys())
	}
	if !u.(body.Map).Has("1K-blocks") || !reflect.DeepEqual(u.(body.Map).Keys(), []string{"filesystem", "1K-blocks", "used", "available", "capacity"}) {
		t.Errorf("disk.usage[%s] = %#v", mount, u)
	}
	if fs, _ := u.(body.Map).Get("filesystem"); fs != f[0] {
		t.Errorf("filesystem %v, df says %s", fs, f[0])
	}
	r := run(e, "disk.percent", mount)
	if s, ok := r.Return.(string); !ok || !strings.HasSuffix(s, "%") {
		t.Errorf("disk.percent %s = %#v", mount, r.Return)
	}
	wantOK(t, run(e, "disk.percent", "/no/such/mount"), body.Map{})
	wantError(t, run(e, "disk.usage", "z"), "ERROR: Invalid flag passed to disk.usage")
	ino := mapOf(t, run(e, "disk.inodeusage").Return)
	if len(ino) == 0 {
		t.Errorf("disk.inodeusage is empty")
	}
}

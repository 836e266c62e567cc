package modules

import (
	"os"
	"os/exec"
	"path/filepath"
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

// fakeCommand puts an executable script named name on PATH for the test.
func fakeCommand(t *testing.T, name, script string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestBlkidAndW parse blkid's and w's lines as Salt does, from commands
// the test puts on PATH.
func TestBlkidAndW(t *testing.T) {
	fakeCommand(t, "blkid", `[ "$1" = /dev/none ] && exit 2
echo '/dev/vda1: UUID="1234-ab" TYPE="ext4" PARTUUID="9f-01"'
echo '/dev/vdb: LABEL="data disk" TYPE="xfs"'
`)
	fakeCommand(t, "w", `echo 'root     pts/0    10:01    2:00m  0.05s  0.01s -bash'
`)
	e := New(Options{})
	wantOK(t, run(e, "disk.blkid"), body.Map{
		{Key: "/dev/vda1", Value: body.Map{{Key: "UUID", Value: "1234-ab"}, {Key: "TYPE", Value: "ext4"}, {Key: "PARTUUID", Value: "9f-01"}}},
		{Key: "/dev/vdb", Value: body.Map{{Key: "LABEL", Value: "data disk"}, {Key: "TYPE", Value: "xfs"}}},
	})
	wantOK(t, run(e, "disk.blkid", "/dev/none"), body.Map{})
	wantOK(t, run(e, "status.w"), []any{body.Map{{Key: "idle", Value: "2:00m"}, {Key: "jcpu", Value: "0.05s"},
		{Key: "login", Value: "10:01"}, {Key: "pcpu", Value: "0.01s"}, {Key: "tty", Value: "pts/0"}, {Key: "user", Value: "root"}, {Key: "what", Value: "-bash"}}})
}

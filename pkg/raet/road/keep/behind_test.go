package keep

import (
	"fmt"
	"os"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// A keep that writes behind reads back what was dumped, the newest of each
// file, and what was removed stays removed; Flush leaves every file on
// disk for another reader (a restart).
func TestWriteBehindReadsBack(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoAlways)
	k.WriteBehind()
	for i := range 50 {
		r := sampleRemote(fmt.Sprintf("r%d", i%5))
		r.SID = uint32(i)
		if err := k.DumpRemote(r); err != nil {
			t.Fatal(err)
		}
		l := sampleLocal()
		l.PUID = uint32(i + 2)
		if err := k.DumpLocal(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.RemoveRemote(sampleRemote("r4")); err != nil {
		t.Fatal(err)
	}
	rs, err := k.LoadRemotes()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint32{}
	for _, r := range rs {
		got[r.Name] = r.SID
	}
	want := map[string]uint32{"r0": 45, "r1": 46, "r2": 47, "r3": 48}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("remotes read back %v, want %v", got, want)
	}
	l, err := k.LoadLocal()
	if err != nil || l.PUID != 51 {
		t.Errorf("local read back %+v, %v; want puid 51", l, err)
	}
	if err := k.Flush(); err != nil {
		t.Fatal(err)
	}
	if exists(k.remotePath("r4")) || !exists(k.remotePath("r3")) {
		t.Errorf("after Flush: r4 on disk %v, r3 on disk %v", exists(k.remotePath("r4")), exists(k.remotePath("r3")))
	}
	other, err := Open(k.Dir(), KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := other.LoadRemotes(); err != nil || len(rs) != 4 {
		t.Errorf("another keep on the directory reads %d remotes, %v", len(rs), err)
	}
}

// An error of a write made behind is reported by the next write or Flush.
func TestWriteBehindReportsErrors(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoAlways)
	k.WriteBehind()
	if err := k.DumpRemote(sampleRemote("r0")); err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(); err != nil {
		t.Fatal(err)
	}
	// A file where the remotes' directory was: no write there succeeds,
	// not even root's.
	if err := os.RemoveAll(k.remoteDir()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.remoteDir(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The error goes to the next write (DumpRemote writes two files, and
	// the writer may fail the first before the second is queued) or Flush.
	dumpErr := k.DumpRemote(sampleRemote("r1"))
	if err := k.Flush(); err == nil && dumpErr == nil {
		t.Error("a failed write behind: no error from the next write or Flush")
	}
}

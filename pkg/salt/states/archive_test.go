package states

import (
	"archive/tar"
	"os"
	"os/exec"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/internal/archive"
)

// TestArchiveExtractedSalt3006 compares archive.extracted with Salt
// 3006.3's returns for the same archives (testdata/compare/t15.json).
func TestArchiveExtractedSalt3006(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the observed run was made as root (ownership to nobody:nogroup)")
	}
	for _, tool := range []string{"tar", "zip", "xz", "bzip2"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the scenario's setup needs %s", tool)
		}
	}
	o := loadObserved(t, "testdata/compare/salt3006-archive.json")
	for _, mode := range []string{"run", "test"} {
		t.Run(mode, func(t *testing.T) { runObserved(t, o, mode) })
	}
}

// A member that would land outside the destination is refused, not
// written (Python's tarfile of Salt 3006 would write it).
func TestArchiveMemberOutside(t *testing.T) {
	dir := t.TempDir()
	src := dir + "/evil.tar"
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	tw.WriteHeader(&tar.Header{Name: "../escaped", Mode: 0o644, Size: 2})
	tw.Write([]byte("x\n"))
	tw.Close()
	f.Close()
	if err := archive.ExtractTar(src, dir+"/out"); err == nil {
		t.Fatal("extracted a member outside the destination")
	}
	if _, err := os.Stat(dir + "/escaped"); err == nil {
		t.Fatal("the member was written outside the destination")
	}
}

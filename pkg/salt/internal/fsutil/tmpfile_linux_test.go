package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

// The same guarantees by both ways of writing: unnamed and linked
// (O_TMPFILE), and under a temporary name then renamed.
func TestWriteFileBothWays(t *testing.T) {
	if ok, err := writeTmpfile(t.TempDir(), "probe", []byte("x"), WriteOptions{Mode: 0o600, TempPrefix: prefix}); !ok || err != nil {
		t.Logf("O_TMPFILE not taken here (ok %v, %v): only the temporary name is tested", ok, err)
	}
	t.Run("tmpfile", checkWriteFile)
	t.Run("tempname", func(t *testing.T) {
		tmpfileOff.Store(true)
		defer tmpfileOff.Store(false)
		checkWriteFile(t)
		TestWriteFileFailures(t)
	})
}

// An unnamed file is linked whole: a reader of the name sees nothing, then
// all of it, and a write into a directory that is gone fails naming it.
func TestWriteTmpfile(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i)
	}
	if ok, err := writeTmpfile(dir, "big", data, WriteOptions{Mode: 0o640, TempPrefix: prefix, NoSync: true}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if s, m := read(t, filepath.Join(dir, "big")); len(s) != len(data) || s[len(s)-1] != data[len(data)-1] || m != 0o640 {
		t.Errorf("read %d bytes mode %v", len(s), m)
	}
	gone := filepath.Join(dir, "gone")
	_, err := writeTmpfile(gone, "f", nil, WriteOptions{Mode: 0o600, TempPrefix: prefix})
	if !os.IsNotExist(err) || err == nil {
		t.Errorf("write into a missing directory: %v", err)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("files left: %v", got)
	}
}

package mkdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// withUmask runs f under a umask. The umask is the process's: these tests
// do not run in parallel.
func withUmask(t *testing.T, mask int, f func()) {
	t.Helper()
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestAllIgnoresUmask(t *testing.T) {
	for _, tc := range []struct {
		mask int
		perm os.FileMode
	}{{0o000, 0o700}, {0o077, 0o755}, {0o022, 0o750}, {0o000, 0o755}} {
		root := t.TempDir()
		leaf := filepath.Join(root, "a", "b", "c")
		withUmask(t, tc.mask, func() {
			if err := All(leaf, tc.perm); err != nil {
				t.Fatal(err)
			}
		})
		for _, p := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b"), leaf} {
			if got := mode(t, p); got != tc.perm {
				t.Errorf("umask %03o, perm %v: %s is %v", tc.mask, tc.perm, p, got)
			}
		}
	}
}

// An existing directory keeps the mode its owner gave it.
func TestAllLeavesExisting(t *testing.T) {
	root := t.TempDir()
	d := filepath.Join(root, "d")
	if err := os.Mkdir(d, 0o711); err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o711)
	if err := All(filepath.Join(d, "e"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, d); got != 0o711 {
		t.Errorf("existing dir now %v", got)
	}
	f := filepath.Join(root, "f")
	os.WriteFile(f, nil, 0o600)
	if err := All(filepath.Join(f, "g"), 0o700); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("under a file: %v", err)
	}
	if err := All(f, 0o700); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("a file: %v", err)
	}
}

func TestOneClaims(t *testing.T) {
	d := filepath.Join(t.TempDir(), "jid")
	withUmask(t, 0, func() {
		if err := One(d, 0o700); err != nil {
			t.Fatal(err)
		}
	})
	if got := mode(t, d); got != 0o700 {
		t.Errorf("mode %v", got)
	}
	if err := One(d, 0o700); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second One: %v", err)
	}
}

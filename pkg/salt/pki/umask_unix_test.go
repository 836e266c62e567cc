//go:build unix

package pki

import (
	"os"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The modes of key files are the store's, not the umask's: a daemon started
// with a restrictive or a lax umask writes the same files.
func TestModesIgnoreUmask(t *testing.T) {
	for _, mask := range []int{0o277, 0o000} {
		// The store's directories are made first: under a umask of 0277 the
		// test's own temp directory would not be writable but by root.
		s := openStore(t, Options{AutoAccept: true})
		old := syscall.Umask(mask)
		_, err := s.Status("web1", hexA1, hexA2)
		_, lerr := s.LoadOrCreateLocal()
		syscall.Umask(old)
		if err != nil || lerr != nil {
			t.Fatal(err, lerr)
		}
		for path, want := range map[string]os.FileMode{
			s.Path(raet.Accepted, "web1"): keyFileMode,
			s.LocalPath():                 0o400,
		} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("umask %03o: %s mode %v, %v; want %o", mask, path, fi.Mode(), err, want)
			}
		}
	}
}

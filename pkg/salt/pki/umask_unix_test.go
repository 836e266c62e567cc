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
		old := syscall.Umask(mask)
		s := openStore(t, Options{AutoAccept: true})
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

package testutil

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// LockSystem serializes, across test processes, the tests that change the
// machine itself (packages through dpkg and apt, users, groups): go test
// runs packages side by side, and apt-get does not wait for the dpkg lock.
// The lock is held until the test ends.
func LockSystem(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "saltraet-states-system.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
}

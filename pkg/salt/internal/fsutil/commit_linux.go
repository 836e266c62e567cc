package fsutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS is syncfs(2): every dirty file and directory of the filesystem
// dir is on, in one call.
func syncFS(dir *os.File) error {
	return unix.Syncfs(int(dir.Fd()))
}

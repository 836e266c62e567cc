//go:build !linux

package fsutil

import (
	"os"
	"syscall"
)

// syncFS is sync(2) where there is no syncfs(2): every filesystem.
func syncFS(*os.File) error {
	syscall.Sync()
	return nil
}

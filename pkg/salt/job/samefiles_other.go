//go:build !linux

package job

// sameFiles is kept only on Linux (samefiles_linux.go), where job
// directories are written through held-open descriptors.
type sameFiles struct{}

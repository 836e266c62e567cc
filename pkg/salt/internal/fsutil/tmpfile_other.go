//go:build !linux

package fsutil

// writeTmpfile: unnamed files are Linux's (O_TMPFILE); elsewhere WriteFile
// always writes under a temporary name.
func writeTmpfile(string, string, []byte, WriteOptions) (bool, error) { return false, nil }

//go:build !linux

package fileserver

import "io/fs"

// statList is list(os.stat(path)) with what every platform knows: the
// size and the mtime, the mode's permission and regular-file bits.
func statList(info fs.FileInfo) []int64 { return portableStat(info) }

package fileserver

import "io/fs"

// portableStat is a stat list from fs.FileInfo alone: st_mode as a
// regular file with its permission bits, st_size, and the mtime for all
// three times.
func portableStat(info fs.FileInfo) []int64 {
	mode := int64(info.Mode().Perm())
	if info.Mode().IsRegular() {
		mode |= 0o100000
	}
	t := info.ModTime().Unix()
	return []int64{mode, 0, 0, 1, 0, 0, info.Size(), t, t, t}
}

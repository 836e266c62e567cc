package fileserver

import (
	"io/fs"
	"syscall"
)

// statList is list(os.stat(path)): st_mode, st_ino, st_dev, st_nlink,
// st_uid, st_gid, st_size, and the whole seconds of st_atime, st_mtime and
// st_ctime.
func statList(info fs.FileInfo) []int64 {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return portableStat(info)
	}
	return []int64{int64(st.Mode), int64(st.Ino), int64(st.Dev), int64(st.Nlink), int64(st.Uid), int64(st.Gid),
		st.Size, st.Atim.Sec, st.Mtim.Sec, st.Ctim.Sec}
}

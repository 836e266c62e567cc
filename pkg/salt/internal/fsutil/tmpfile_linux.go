package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// tmpfileOK says whether files can be made unnamed (O_TMPFILE) and linked
// by their /proc/self/fd name: not on a kernel or filesystem without
// O_TMPFILE, nor without /proc. Once a write finds it cannot, every later
// one takes the temporary name at once.
var tmpfileOK = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
})

// tmpfileOff is set once O_TMPFILE was refused (and by tests).
var tmpfileOff atomic.Bool

// writeTmpfile is WriteFile without a temporary name: the data goes to an
// unnamed file in dir (open O_TMPFILE), which is given its mode, synced
// unless NoSync, and linked as name, which fails rather than replaces. A
// file is thus never seen half-written, and a crash leaves nothing behind
// to clear; a new file costs one directory entry, where a temporary name
// and a rename cost three changes of the directory. When name exists the
// file is linked under a temporary name and renamed onto it, unless
// NoReplace (ErrExist). ok is false when this kernel or filesystem cannot
// (nothing was done: the caller writes the usual way).
func writeTmpfile(dir, name string, data []byte, o WriteOptions) (ok bool, err error) {
	if tmpfileOff.Load() || !tmpfileOK() {
		return false, nil
	}
	dst := filepath.Join(dir, name)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(o.Mode.Perm()))
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
		tmpfileOff.Store(true)
		return false, nil
	}
	if err != nil {
		return true, &os.PathError{Op: "open", Path: dst, Err: err}
	}
	defer unix.Close(fd)
	if err := WriteFD(fd, data); err != nil {
		return true, &os.PathError{Op: "write", Path: dst, Err: err}
	}
	if err := unix.Fchmod(fd, uint32(o.Mode.Perm())); err != nil {
		return true, &os.PathError{Op: "chmod", Path: dst, Err: err}
	}
	if !o.NoSync {
		if err := unix.Fsync(fd); err != nil {
			return true, &os.PathError{Op: "sync", Path: dst, Err: err}
		}
	}
	self := "/proc/self/fd/" + strconv.Itoa(fd)
	err = unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
	switch {
	case errors.Is(err, unix.EEXIST) && o.NoReplace:
		return true, fmt.Errorf("%w: %s", ErrExist, dst)
	case errors.Is(err, unix.EEXIST):
		tmp := tempName(dir, name, o.TempPrefix)
		if err := unix.Linkat(unix.AT_FDCWD, self, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW); err != nil {
			return true, &os.LinkError{Op: "link", Old: self, New: tmp, Err: err}
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return true, err
		}
	case err != nil:
		return true, &os.LinkError{Op: "link", Old: self, New: dst, Err: err}
	}
	if o.NoSync {
		return true, nil
	}
	return true, SyncDir(dir)
}

// WriteFD writes all of data to the descriptor fd, again after an
// interruption: for files made by descriptor (O_TMPFILE, openat), which
// os.File would wrap only to be closed again.
func WriteFD(fd int, data []byte) error {
	for rest := data; len(rest) > 0; {
		n, err := unix.Write(fd, rest)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

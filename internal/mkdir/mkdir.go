// Package mkdir makes directories with the mode asked for, whatever the
// process umask. os.MkdirAll gives a directory its mode less the umask, so
// a daemon started under umask 000 made its keep world-writable and one
// under umask 077 made a cachedir no one else could list. Salt sets the
// umask around its makedirs (salt.utils.verify.verify_env); a Go process
// cannot change the umask for one goroutine, so the mode is set after each
// mkdir instead. Until then the directory's mode is perm less the umask,
// never wider than perm.
package mkdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// All makes dir and any missing parents, each with exactly perm. It leaves
// directories that exist alone, with the modes their owner chose. A
// directory that another process makes at the same moment is taken as it
// is.
func All(dir string, perm os.FileMode) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := All(parent, perm); err != nil {
			return err
		}
	}
	err = One(dir, perm)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return err
}

// One makes dir, whose parent exists, with exactly perm. Like os.Mkdir it
// fails with fs.ErrExist if dir is there already, so a caller can use it
// to claim a name.
func One(dir string, perm os.FileMode) error {
	if err := os.Mkdir(dir, perm); err != nil {
		return err
	}
	return os.Chmod(dir, perm)
}

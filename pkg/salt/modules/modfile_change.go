package modules

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The file functions that create, remove, copy and move files.

func fileChangeFuncs() []Func {
	ownMode := []Param{fileOpt("user", nil), fileOpt("group", nil), fileOpt("mode", nil)}
	return []Func{
		fileFunc("touch", []Param{fileReq("name"), fileOpt("atime", nil), fileOpt("mtime", nil)}, fileTouch),
		fileFunc("remove", []Param{fileReq("path")}, fileRemove),
		fileFunc("mkdir", append([]Param{fileReq("dir_path")}, ownMode...), func(c *Call) (any, error) {
			dir := filepath.Clean(c.pathArg("dir_path"))
			if !isDirPath(dir) {
				if err := makedirsPerms(dir, c.Arg("user"), c.Arg("group"), c.Arg("mode")); err != nil {
					return nil, err
				}
			}
			return true, nil
		}),
		fileFunc("makedirs", append([]Param{fileReq("path")}, ownMode...), fileMakedirs),
		fileFunc("copy", []Param{fileReq("src"), fileReq("dst"), fileOpt("recurse", false), fileOpt("remove_existing", false)}, fileCopy),
		fileFunc("rename", []Param{fileReq("src"), fileReq("dst")}, func(c *Call) (any, error) {
			return fileRename(c.pathArg("src"), c.pathArg("dst"))
		}),
		fileFunc("move", []Param{fileReq("src"), fileReq("dst"), fileOpt("disallow_copy_and_unlink", false)}, fileMove),
		fileFunc("symlink", []Param{fileReq("src"), fileReq("path"), fileOpt("force", false), fileOpt("atomic", false)}, fileSymlink),
	}
}

// fileTouch is file.touch: the file made if missing, its times set
// (now where not given); whether it exists afterwards.
func fileTouch(c *Call) (any, error) {
	name := c.pathArg("name")
	now := time.Now()
	at, err := touchTime(c.Arg("atime"), now)
	if err != nil {
		return nil, err
	}
	mt, err := touchTime(c.Arg("mtime"), now)
	if err != nil {
		return nil, err
	}
	if !pathExists(name) {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
		if err != nil {
			return nil, cmdErr("%s", strerror(err))
		}
		f.Close()
	}
	if err := os.Chtimes(name, at, mt); err != nil {
		return nil, cmdErr("%s", strerror(err))
	}
	return pathExists(name), nil
}

// touchTime is an atime or mtime argument: seconds since the epoch, a
// string of digits included; None is now.
func touchTime(v any, now time.Time) (time.Time, error) {
	if v == nil {
		return now, nil
	}
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return now, invocationErr("atime and mtime must be integers")
		}
		return time.Unix(n, 0), nil
	}
	if f, ok := v.(float64); ok {
		return time.Unix(0, int64(f*1e9)), nil
	}
	n, err := pyInt(v)
	if err != nil {
		return now, invocationErr("atime and mtime must be integers")
	}
	return time.Unix(n, 0), nil
}

func fileRemove(c *Call) (any, error) {
	p := c.pathArg("path")
	if !filepath.IsAbs(p) {
		return nil, invocationErr("File path must be absolute: %s", p)
	}
	var err error
	switch {
	case filemod.IsSymlink(p) || pathExists(p) && !isDirPath(p):
		err = os.Remove(p)
	case isDirPath(p):
		err = os.RemoveAll(p)
	default:
		return false, nil
	}
	if err != nil {
		return nil, cmdErr("Could not remove '%s': %s", p, osErrorText(err, p))
	}
	return true, nil
}

// makedirsPerms is file.makedirs_perms: the missing parents first, then
// the directory, each with check_perms of the user, group and mode.
func makedirsPerms(name string, usr, grp, mode any) error {
	head, tail := filepath.Split(name)
	head = filepath.Clean(head)
	if head != "" && tail != "" && !pathExists(head) {
		if err := makedirsPerms(head, usr, grp, mode); err != nil && !os.IsExist(err) {
			return err
		}
	}
	if err := os.Mkdir(name, 0o777); err != nil {
		return pyOSError(err, name)
	}
	want := filemod.Perms{User: noneStr(usr), Group: noneStr(grp), Mode: filemod.ModeArg(mode)}
	var ch body.Map
	filemod.CheckPerms(name, want, &ch, false, true)
	return nil
}

// noneStr is a string argument that may be None ("").
func noneStr(v any) string {
	if v == nil {
		return ""
	}
	return py.Str(v)
}

// fileMakedirs is file.makedirs: the parents of path (a path ending in /
// is a directory to make), or a message saying why not.
func fileMakedirs(c *Call) (any, error) {
	p := c.pathArg("path")
	dir := filepath.Clean(filepath.Dir(p))
	if isDirPath(dir) {
		return fmt.Sprintf("Directory '%s' already exists", dir), nil
	}
	if pathExists(dir) {
		return fmt.Sprintf("The path '%s' already exists and is not a directory", dir), nil
	}
	var todo []string
	for !isDirPath(dir) {
		todo = append([]string{dir}, todo...)
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, invocationErr("Recursive creation for path '%s' would result in an infinite loop. Please use an absolute path.", parent)
		}
		dir = parent
	}
	for _, d := range todo {
		if !isDirPath(d) {
			if err := makedirsPerms(d, c.Arg("user"), c.Arg("group"), c.Arg("mode")); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// fileCopy is file.copy: a file's contents, or with recurse a directory
// merged into (or, with remove_existing, replacing) dst; dst then gets
// src's owner, group and mode.
func fileCopy(c *Call) (any, error) {
	src, dst := c.pathArg("src"), c.pathArg("dst")
	if !filepath.IsAbs(src) {
		return nil, invocationErr("File path must be absolute.")
	}
	if !pathExists(src) {
		return nil, cmdErr("No such file or directory '%s'", src)
	}
	pre, err := filemod.Stat(src, true)
	if err != nil {
		return nil, cmdErr("No such file or directory '%s'", src)
	}
	if isDirPath(dst) || isDirPath(src) {
		if !pyTruthy(c.Arg("recurse")) {
			return nil, invocationErr("Cannot copy overwriting a directory without recurse flag set to true!")
		}
		if pyTruthy(c.Arg("remove_existing")) {
			_ = os.RemoveAll(dst)
		}
		err = copyDir(src, dst)
	} else {
		err = filemod.CopyPath(src, dst)
	}
	if err != nil {
		return nil, cmdErr("Could not copy '%s' to '%s'", src, dst)
	}
	var ch body.Map
	filemod.CheckPerms(dst, filemod.Perms{User: pre.User, Group: pre.Group, Mode: pre.Mode}, &ch, false, true)
	return true, nil
}

// copyDir is salt.utils.files.recursive_copy: src's tree merged into dst,
// files by contents; a src that is not a directory copies nothing.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // os.walk skips what it cannot read
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if !pathExists(target) {
				return os.MkdirAll(target, 0o777)
			}
			return nil
		}
		if p == src || d.Type()&fs.ModeSymlink != 0 && isDirPath(p) {
			return nil // os.walk lists a link to a directory and does not enter it
		}
		return filemod.CopyPath(p, target)
	})
}

func fileRename(src, dst string) (any, error) {
	if !filepath.IsAbs(src) {
		return nil, invocationErr("File path must be absolute.")
	}
	if err := os.Rename(src, dst); err != nil {
		return nil, cmdErr("Could not rename '%s' to '%s'", src, dst)
	}
	return true, nil
}

// fileMove is file.move: shutil.move, so into dst when it is a directory.
func fileMove(c *Call) (any, error) {
	src, dst := c.pathArg("src"), c.pathArg("dst")
	if pyTruthy(c.Arg("disallow_copy_and_unlink")) {
		return fileRename(src, dst)
	}
	if !filepath.IsAbs(src) {
		return nil, invocationErr("Source path must be absolute.")
	}
	if !filepath.IsAbs(dst) {
		return nil, invocationErr("Destination path must be absolute.")
	}
	target := dst
	if isDirPath(dst) {
		target = filepath.Join(dst, filepath.Base(src))
		if pathExists(target) {
			return nil, cmdErr("Unable to move '%s' to '%s': Destination path '%s' already exists", src, dst, target)
		}
	}
	if _, err := os.Lstat(src); err != nil {
		return nil, cmdErr("Unable to move '%s' to '%s': %s", src, dst, osErrorText(err, src))
	}
	if err := filemod.Move(src, target); err != nil {
		return nil, cmdErr("Unable to move '%s' to '%s': %v", src, dst, err)
	}
	return body.Map{{Key: "result", Value: true}, {Key: "comment", Value: fmt.Sprintf("'%s' moved to '%s'", src, dst)}}, nil
}

func fileSymlink(c *Call) (any, error) {
	src, p := c.strArg("src"), c.pathArg("path")
	force, atomic := pyTruthy(c.Arg("force")), pyTruthy(c.Arg("atomic"))
	if !filepath.IsAbs(p) {
		return nil, invocationErr("Link path must be absolute: %s", p)
	}
	if filemod.IsSymlink(p) {
		if t, err := os.Readlink(p); err == nil && filepath.Clean(t) == filepath.Clean(src) {
			return true, nil
		}
		if !force && !atomic {
			return nil, cmdErr("Found existing symlink: %s", p)
		}
	}
	if pathExists(p) && !force && !atomic {
		return nil, cmdErr("Existing path is not a symlink: %s", p)
	}
	if atomic {
		tmp := filepath.Join(filepath.Dir(p), fmt.Sprintf(".tmp%d%d", os.Getpid(), time.Now().UnixNano()))
		if err := os.Symlink(src, tmp); err != nil {
			return nil, cmdErr("Could not create '%s'", p)
		}
		if err := os.Rename(tmp, p); err != nil {
			os.Remove(tmp)
			return nil, cmdErr("Could not create '%s'", p)
		}
		return true, nil
	}
	if force && (filemod.IsSymlink(p) || pathExists(p)) {
		_ = os.Remove(p)
	}
	if err := os.Symlink(src, p); err != nil {
		return nil, cmdErr("Could not create '%s'", p)
	}
	return true, nil
}

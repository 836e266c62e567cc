package modules

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
)

// file.stats, file.set_mode, file.chown and file.chgrp.

func fileOwnerFuncs() []Func {
	return []Func{
		fileFunc("set_mode", []Param{fileReq("path"), fileReq("mode")}, fileSetMode),
		fileFunc("chown", []Param{fileReq("path"), fileReq("user"), fileReq("group")}, func(c *Call) (any, error) {
			return fileChown(c.pathArg("path"), c.Arg("user"), c.Arg("group"))
		}),
		fileFunc("chgrp", []Param{fileReq("path"), fileReq("group")}, func(c *Call) (any, error) {
			p := c.pathArg("path")
			st, err := fileStats(p, "", true)
			if err != nil {
				return nil, err
			}
			usr, _ := st.Get("user")
			return fileChown(p, usr, c.Arg("group"))
		}),
	}
}

// fileStats is file.stats: the keys in Salt's order, "sum" only when a
// hash_type is given. A dangling symlink is stat'ed itself.
func fileStats(path, hashType string, follow bool) (body.Map, error) {
	var st syscall.Stat_t
	err := syscall.Stat(path, &st)
	if err != nil || !follow {
		if lerr := syscall.Lstat(path, &st); lerr != nil {
			return nil, cmdErr("Path not found: %s", path)
		}
	}
	ret := body.Map{
		{Key: "inode", Value: int64(st.Ino)}, {Key: "uid", Value: int64(st.Uid)}, {Key: "gid", Value: int64(st.Gid)},
		{Key: "group", Value: filemod.GIDToGroup(int64(st.Gid))}, {Key: "user", Value: filemod.UIDToUser(int64(st.Uid))},
		{Key: "atime", Value: stampOf(st.Atim)}, {Key: "mtime", Value: stampOf(st.Mtim)}, {Key: "ctime", Value: stampOf(st.Ctim)},
		{Key: "size", Value: st.Size}, {Key: "mode", Value: filemod.NormalizeMode(strconv.FormatUint(uint64(st.Mode&0o7777), 8))},
	}
	if hashType != "" {
		sum, err := fileHash(path, hashType)
		if err != nil {
			return nil, err
		}
		ret = append(ret, body.Item{Key: "sum", Value: sum})
	}
	ret = append(ret, body.Item{Key: "type", Value: statType(st.Mode)}, body.Item{Key: "target", Value: pyRealpath(path)})
	return ret, nil
}

// stampOf is a stat time as Python's float st_*time.
func stampOf(ts syscall.Timespec) float64 { return float64(ts.Sec) + float64(ts.Nsec)/1e9 }

func statType(mode uint32) string {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return "dir"
	case syscall.S_IFCHR:
		return "char"
	case syscall.S_IFBLK:
		return "block"
	case syscall.S_IFLNK:
		return "link"
	case syscall.S_IFIFO:
		return "pipe"
	case syscall.S_IFSOCK:
		return "socket"
	}
	return "file"
}

// fileSetMode is file.set_mode: the mode as given, less leading 0s and
// o's, read as octal; the new mode back.
func fileSetMode(c *Call) (any, error) {
	p := c.pathArg("path")
	mode := strings.TrimLeft(c.strArg("mode"), "0Oo")
	if mode == "" {
		mode = "0"
	}
	if !pathExists(p) {
		return nil, cmdErr("%s: File not found", p)
	}
	n, err := strconv.ParseUint(mode, 8, 32)
	if err != nil || os.Chmod(p, filemod.GoMode(uint32(n))) != nil {
		return "Invalid Mode " + mode, nil
	}
	st, err := fileStats(p, "", true)
	if err != nil {
		return nil, err
	}
	m, _ := st.Get("mode")
	return m, nil
}

// pathExists is os.path.exists: the path, symlinks followed, is there.
func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fileChown is file.chown: None when done, else the problems, one a line
// ("User does not exist", "Group does not exist", "File not found").
func fileChown(path string, usr, grp any) (any, error) {
	uid, gid := uidArg(usr), gidArg(grp)
	var msg string
	if uid == "" {
		if pyTruthy(usr) {
			msg += "User does not exist\n"
		} else {
			uid = int64(-1)
		}
	}
	if gid == "" {
		if pyTruthy(grp) {
			msg += "Group does not exist\n"
		} else {
			gid = int64(-1)
		}
	}
	if !pathExists(path) {
		if u, ok := intArg(uid); ok {
			if g, ok := intArg(gid); ok && os.Lchown(path, u, g) == nil {
				return nil, nil
			}
		}
		msg += "File not found"
	}
	if msg != "" {
		return msg, nil
	}
	u, _ := intArg(uid)
	g, _ := intArg(gid)
	if err := os.Chown(path, u, g); err != nil {
		return nil, pyOSError(err, path)
	}
	return nil, nil
}

func intArg(v any) (int, bool) {
	n, err := pyInt(v)
	return int(n), err == nil
}

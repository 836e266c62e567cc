package states

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.absent, exists, missing, touch, copy and rename
// (salt/states/file.py).

// pathName is the state's name with ~ expanded, and the ret to fill.
func pathName(c *state.Call) (string, state.Ret) {
	name := filemod.ExpandUser(c.Low.Name)
	return name, newRet(name, &yes)
}

func fileAbsent(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	switch {
	case name == "":
		return errRet(ret, "Must provide name to file.absent")
	case !filepath.IsAbs(name):
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	case name == "/":
		return errRet(ret, `Refusing to make "/" absent`)
	}
	kind := ""
	switch {
	case filemod.IsFile(name) || filemod.IsSymlink(name):
		kind = "File"
	case isDir(name):
		kind = "Directory"
	default:
		ret.Comment = fmt.Sprintf("File %s is not present", name)
		return ret
	}
	ret.Changes.Set("removed", name)
	if c.Test {
		ret.Result = nil
		ret.Comment = fmt.Sprintf("%s %s is set for removal", kind, name)
		return ret
	}
	if err := os.RemoveAll(name); err != nil {
		ret.Changes = body.Map{}
		if kind == "Directory" {
			return errRet(ret, fmt.Sprintf("Failed to remove directory %s", name))
		}
		return errRet(ret, err.Error())
	}
	ret.Comment = fmt.Sprintf("Removed %s %s", strings.ToLower(kind), name)
	return ret
}

func fileExists(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.exists")
	}
	if _, err := os.Stat(name); err != nil {
		return errRet(ret, fmt.Sprintf("Specified path %s does not exist", name))
	}
	ret.Comment = fmt.Sprintf("Path %s exists", name)
	return ret
}

func fileMissing(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.missing")
	}
	if _, err := os.Stat(name); err == nil {
		return errRet(ret, fmt.Sprintf("Specified path %s exists", name))
	}
	ret.Comment = fmt.Sprintf("Path %s is missing", name)
	return ret
}

func fileTouch(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	ret.Result = nil
	if name == "" {
		return errRet(ret, "Must provide name to file.touch")
	}
	if !filepath.IsAbs(name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	a := argsOf(c)
	if c.Test {
		return checkTouch(name, ret)
	}
	if a.boolean("makedirs", false) {
		if err := filemod.Makedirs(name, filemod.Perms{}); err != nil {
			return errRet(ret, err.Error())
		}
	}
	if !isDir(filepath.Dir(name)) {
		return errRet(ret, fmt.Sprintf("Directory not present to touch file %s", name))
	}
	extant := filemod.Exists(name)
	if err := touchTimes(name, a); err != nil {
		return errRet(ret, err.Error())
	}
	ret.Result = &yes
	if !extant {
		ret.Comment = fmt.Sprintf("Created empty file %s", name)
		ret.Changes.Set("new", name)
		return ret
	}
	kind := "file"
	if isDir(name) {
		kind = "directory"
	}
	ret.Comment = fmt.Sprintf("Updated times on %s %s", kind, name)
	ret.Changes.Set("touched", name)
	return ret
}

// checkTouch is _check_touch, file.touch under test=True. Without atime
// or mtime an existing file has "the correct times".
func checkTouch(name string, ret state.Ret) state.Ret {
	if !filemod.Exists(name) {
		ret.Comment = fmt.Sprintf("File %s is set to be created", name)
		ret.Changes.Set("new", name)
		return ret
	}
	ret.Result = &yes
	ret.Comment = fmt.Sprintf("File %s exists and has the correct times", name)
	ret.Changes = body.Map{{Key: "new", Value: name}}
	return ret
}

// touchTimes is file.touch: create name if missing, then set its times
// (atime/mtime in seconds since the epoch, now when not given).
func touchTimes(name string, a args) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		if !isDir(name) {
			return err
		}
	} else {
		f.Close()
	}
	now := time.Now()
	at, mt := now, now
	if n, ok := body.AsInt64(a.get("atime")); ok {
		at = time.Unix(n, 0)
	}
	if n, ok := body.AsInt64(a.get("mtime")); ok {
		mt = time.Unix(n, 0)
	}
	return os.Chtimes(name, at, mt)
}

// runUser is __opts__["user"], the user the minion runs as, and its
// primary group (what Salt finds through user.info).
func runUser(env *state.Env) (string, string) {
	name, _ := env.Opts["user"].(string)
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	grp := name
	if u, err := user.Lookup(name); err == nil {
		if g, err := user.LookupGroupId(u.Gid); err == nil {
			grp = g.Name
		}
	}
	return name, grp
}

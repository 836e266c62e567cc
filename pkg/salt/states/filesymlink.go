package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.symlink (salt/states/file.py symlink and _symlink_check).

// linkOwner is the owner and group of the link itself.
func linkOwner(name string) (string, string) {
	st, err := filemod.Stat(name, false)
	if err != nil {
		return "", ""
	}
	return st.User, st.Group
}

func fileSymlink(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	target := a.str("target", "")
	if name == "" {
		return errRet(ret, "Must provide name to file.symlink")
	}
	usr, grp := a.str("user", ""), a.str("group", "")
	if usr == "" {
		usr, _ = runUser(c.Env)
	}
	if grp == "" {
		_, grp = runUser(&state.Env{Opts: map[string]any{"user": usr}})
	}
	var pre []string
	if _, ok := filemod.UserToUID(usr); !ok {
		pre = append(pre, fmt.Sprintf("User %s does not exist", usr))
	}
	if _, ok := filemod.GroupToGID(grp); !ok {
		pre = append(pre, fmt.Sprintf("Group %s does not exist", grp))
	}
	if !filepath.IsAbs(name) {
		pre = append(pre, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	if len(pre) > 0 {
		msg := strings.Join(pre, ". ")
		if len(pre) > 1 {
			msg += "."
		}
		return errRet(ret, msg)
	}
	force := a.boolean("force", false)
	if c.Test {
		return symlinkTest(name, target, usr, grp, force, a.boolean("makedirs", false), ret)
	}
	if dir := filepath.Dir(name); !isDir(dir) {
		if !a.boolean("makedirs", false) {
			return errRet(ret, fmt.Sprintf("Directory %s for symlink is not present", dir))
		}
		if err := filemod.Makedirs(name, filemod.Perms{User: usr, Group: grp, Mode: filemod.ModeArg(a.get("mode"))}); err != nil {
			return errRet(ret, err.Error())
		}
	}
	if filemod.IsSymlink(name) {
		cur, _ := os.Readlink(name)
		if filepath.Clean(cur) == filepath.Clean(target) {
			return symlinkOwnership(name, usr, grp, ret)
		}
		os.Remove(name)
	} else if filemod.Exists(name) {
		if msg := symlinkMoveAside(a, name, target, force); msg != "" {
			return errRet(ret, msg)
		}
	}
	if err := os.Symlink(target, name); err != nil {
		return errRet(ret, fmt.Sprintf("Unable to create new symlink %s -> %s: %v", name, target, err))
	}
	ret.Comment = fmt.Sprintf("Created new symlink %s -> %s", name, target)
	ret.Changes.Set("new", name)
	if u, g := linkOwner(name); u != usr || g != grp {
		if err := lchown(name, usr, grp); err != nil {
			ret.Result = &no
			ret.Comment += fmt.Sprintf(", but was unable to set ownership to %s:%s", usr, grp)
		}
	}
	return ret
}

func lchown(name, usr, grp string) error {
	uid, _ := filemod.UserToUID(usr)
	gid, _ := filemod.GroupToGID(grp)
	return os.Lchown(name, uid, gid)
}

// symlinkOwnership is an existing link to the right target: only its
// ownership may change.
func symlinkOwnership(name, usr, grp string, ret state.Ret) state.Ret {
	if u, g := linkOwner(name); u == usr && g == grp {
		ret.Comment = fmt.Sprintf("Symlink %s is present and owned by %s:%s", name, usr, grp)
		return ret
	}
	if err := lchown(name, usr, grp); err != nil {
		ret.Result = &no
		ret.Comment = fmt.Sprintf("Failed to set ownership of symlink %s to %s:%s", name, usr, grp)
		return ret
	}
	ret.Comment = fmt.Sprintf("Set ownership of symlink %s to %s:%s", name, usr, grp)
	ret.Changes.Set("ownership", usr+":"+grp)
	return ret
}

// symlinkMoveAside makes way for the link where a file or directory is:
// moved to backupname, or removed with force.
func symlinkMoveAside(a args, name, target string, force bool) string {
	bk := a.str("backupname", "")
	if bk == "" {
		if !force {
			kind := "File system entry"
			if filemod.IsFile(name) {
				kind = "File"
			} else if isDir(name) {
				kind = "Directory"
			}
			return fmt.Sprintf("%s exists where the symlink %s should be", kind, name)
		}
		return errString(os.RemoveAll(name))
	}
	if !filepath.IsAbs(bk) {
		if bk != filepath.Base(bk) {
			return fmt.Sprintf("Backupname must be an absolute path or a file name: %s", bk)
		}
		bk = filepath.Join(filepath.Dir(filepath.Clean(name)), bk)
	}
	if filemod.Exists(bk) {
		if !force {
			return fmt.Sprintf("Symlink & backup dest exists and Force not set. %s -> %s - backup: %s", name, target, bk)
		}
		os.RemoveAll(bk)
	}
	if err := filemod.Move(name, bk); err != nil {
		return fmt.Sprintf("Unable to rename %s to backup %s -> : %v", name, bk, err)
	}
	return ""
}

// symlinkTest is _symlink_check with the parent directory's note.
func symlinkTest(name, target, usr, grp string, force, parents bool, ret state.Ret) state.Ret {
	switch {
	case !filemod.Exists(name):
		ret.Result, ret.Comment = nil, fmt.Sprintf("Symlink %s to %s is set for creation", name, target)
		ret.Changes.Set("new", name)
	case filemod.IsSymlink(name):
		if cur, _ := os.Readlink(name); cur != target {
			ret.Result, ret.Comment = nil, fmt.Sprintf("Link %s target is set to be changed to %s", name, target)
			ret.Changes.Set("change", name)
			break
		}
		ret.Comment = fmt.Sprintf("The symlink %s is present", name)
		if u, g := linkOwner(name); u != usr || g != grp {
			ret.Result = nil
			ret.Changes.Set("ownership", u+":"+g)
			ret.Comment += fmt.Sprintf(", but the ownership of the symlink would be changed from %s:%s to %s:%s", u, g, usr, grp)
		}
	case force:
		ret.Result = nil
		ret.Comment = fmt.Sprintf("The file or directory %s is set for removal to make way for a new symlink targeting %s", name, target)
	default:
		ret.Result = &no
		ret.Comment = fmt.Sprintf("File or directory exists where the symlink %s should be. Did you mean to use force?", name)
	}
	if dir := filepath.Dir(name); !isDir(dir) {
		if parents {
			ret.Comment += fmt.Sprintf("\n%s will be created", dir)
		} else {
			ret.Comment += fmt.Sprintf("\nDirectory %s for symlink is not present", dir)
		}
	}
	return ret
}

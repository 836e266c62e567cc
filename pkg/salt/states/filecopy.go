package states

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.copy and file.rename (salt/states/file.py copy_ and rename).

func fileCopy(_ context.Context, c *state.Call) state.Ret {
	name, _ := pathName(c)
	a := argsOf(c)
	source := filemod.ExpandUser(a.str("source", ""))
	ret := newRet(name, &yes)
	ret.Comment = fmt.Sprintf(`Copied "%s" to "%s"`, source, name)
	if name == "" {
		return errRet(ret, "Must provide name to file.copy")
	}
	if !filepath.IsAbs(name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	if !filemod.Exists(source) {
		return errRet(ret, fmt.Sprintf(`Source file "%s" is not present`, source))
	}
	want, msg := copyPerms(c, a, source)
	if msg != "" {
		return errRet(ret, msg)
	}
	if isDir(name) && a.boolean("subdir", false) {
		name = filepath.Join(name, filepath.Base(source))
	}
	force, changed := a.boolean("force", false), true
	if filemod.Exists(name) {
		if force && filemod.IsFile(name) && sameContent(name, source) {
			ret.Comment += " - files are identical but force flag is set"
		}
		if !force {
			changed = false
		} else if !c.Test {
			if err := os.RemoveAll(name); err != nil {
				return errRet(ret, fmt.Sprintf(`Failed to delete "%s" in preparation for forced move`, name))
			}
		}
	}
	if !changed {
		ret.Comment = fmt.Sprintf(`The target file "%s" exists and will not be overwritten`, name)
		return ret
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf(`File "%s" is set to be copied to "%s"`, source, name)
		return ret
	}
	dirMode := filemod.ModeArg(a.get("dir_mode"))
	if dirMode == "" {
		dirMode = filemod.DirModeFor(want.Mode)
	}
	if msg := targetDir(a, name, filemod.Perms{User: want.User, Group: want.Group, Mode: dirMode}); msg != "" {
		return errRet(ret, msg)
	}
	if err := copyTree(source, name); err != nil {
		return errRet(ret, fmt.Sprintf(`Failed to copy "%s" to "%s"`, source, name))
	}
	ret.Changes = body.Map{{Key: name, Value: source}}
	if !a.boolean("preserve", false) {
		if ok, fails, _ := filemod.CheckPerms(name, want, &ret.Changes, false, false); !ok {
			ret.Result, ret.Comment = &no, joinComments(ret.Comment, fails)
		}
	}
	return ret
}

// joinComments is check_perms' "; ".join of the comment it was given and
// its own.
func joinComments(orig string, more []string) string {
	out := orig
	for _, m := range more {
		if out != "" {
			out += "; "
		}
		out += m
	}
	return out
}

// copyPerms is the owner, group and mode file.copy gives the copy: the
// source's with preserve, else those given, the minion's user and its
// group, and the source's mode.
func copyPerms(c *state.Call, a args, source string) (filemod.Perms, string) {
	st, err := filemod.Stat(source, true)
	if err != nil {
		return filemod.Perms{}, err.Error()
	}
	if a.boolean("preserve", false) {
		return filemod.Perms{User: st.User, Group: st.Group, Mode: st.Mode}, ""
	}
	usr, grp := a.str("user", ""), a.str("group", "")
	defUser, defGroup := runUser(c.Env)
	if usr == "" {
		usr = defUser
	}
	if grp == "" {
		grp = defGroup
		if a.str("user", "") != "" {
			_, grp = runUser(&state.Env{Opts: map[string]any{"user": usr}})
		}
	}
	if msg := filemod.CheckUser(usr, grp, c.Test); msg != "" {
		return filemod.Perms{}, msg
	}
	mode := filemod.ModeArg(a.get("mode"))
	if mode == "" {
		mode = st.Mode
	}
	return filemod.Perms{User: usr, Group: grp, Mode: mode}, ""
}

func sameContent(p, q string) bool {
	a, err1 := os.ReadFile(p)
	b, err2 := os.ReadFile(q)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// copyTree is shutil.copy for a file (contents and mode) and
// shutil.copytree(symlinks=True) for a directory.
func copyTree(src, dst string) error {
	if isDir(src) {
		return exec.Command("cp", "-a", "--", src, dst).Run()
	}
	if err := filemod.CopyPath(src, dst); err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.Chmod(dst, st.Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky))
}

func fileRename(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	name = os.ExpandEnv(name)
	ret.Name = name
	a := argsOf(c)
	source := os.ExpandEnv(filemod.ExpandUser(a.str("source", "")))
	if name == "" {
		return errRet(ret, "Must provide name to file.rename")
	}
	if !filepath.IsAbs(name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	if !filemod.Exists(source) {
		ret.Comment = fmt.Sprintf(`Source file "%s" has already been moved out of place`, source)
		return ret
	}
	if filemod.Exists(name) {
		if !a.boolean("force", false) {
			ret.Comment = fmt.Sprintf(`The target file "%s" exists and will not be overwritten`, name)
			return ret
		}
		if !c.Test {
			if err := os.Remove(name); err != nil {
				return errRet(ret, fmt.Sprintf(`Failed to delete "%s" in preparation for forced move`, name))
			}
		}
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf(`File "%s" is set to be moved to "%s"`, source, name)
		return ret
	}
	if msg := targetDir(a, name, filemod.Perms{}); msg != "" {
		return errRet(ret, msg)
	}
	if err := filemod.Move(source, name); err != nil {
		return errRet(ret, fmt.Sprintf(`Failed to move "%s" to "%s"`, source, name))
	}
	ret.Comment = fmt.Sprintf(`Moved "%s" to "%s"`, source, name)
	ret.Changes = body.Map{{Key: name, Value: source}}
	return ret
}

// targetDir makes the directory of a copy's or move's target with
// makedirs; the message is the error to fail with.
func targetDir(a args, name string, want filemod.Perms) string {
	dir := filepath.Dir(name)
	if isDir(dir) {
		return ""
	}
	if !a.boolean("makedirs", false) {
		return fmt.Sprintf("The target directory %s is not present", dir)
	}
	return errString(filemod.Makedirs(name, want))
}

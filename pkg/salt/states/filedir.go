package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.directory (salt/states/file.py directory and _check_directory).

// dirSpec is file.directory's arguments.
type dirSpec struct {
	name, user, group, dirMode, fileMode string
	recurse                              map[string]bool
	maxDepth                             int // -1: no limit
	follow                               bool
}

var recurseTypes = []string{"user", "group", "mode", "ignore_files", "ignore_dirs", "silent"}

// recurseSet is _get_recurse_set.
func recurseSet(v any) (map[string]bool, string) {
	set := map[string]bool{}
	if !truthy(v) {
		return set, ""
	}
	list, ok := v.([]any)
	if !ok {
		return nil, `"recurse" must be formed as a list of strings`
	}
	for _, x := range list {
		s, isStr := x.(string)
		if !isStr || !slices.Contains(recurseTypes, s) {
			return nil, `Types for "recurse" limited to "user", "group", "mode", "ignore_files", "ignore_dirs", "silent".`
		}
		set[s] = true
	}
	if set["ignore_files"] && set["ignore_dirs"] {
		return nil, `Must not specify "recurse" options "ignore_files" and "ignore_dirs" at the same time.`
	}
	return set, ""
}

func fileDirectory(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.directory")
	}
	if name != "/" {
		name = strings.TrimSuffix(name, "/")
	}
	if a.boolean("clean", false) {
		return errRet(ret, "file.directory clean is not supported by this minion")
	}
	s := dirSpec{name: name, user: a.str("user", ""), group: a.str("group", ""), maxDepth: -1, follow: a.boolean("follow_symlinks", false)}
	s.dirMode = filemod.ModeArg(a.get("dir_mode"))
	if s.dirMode == "" {
		s.dirMode = filemod.ModeArg(a.get("mode"))
	}
	if s.fileMode = filemod.ModeArg(a.get("file_mode")); s.fileMode == "" {
		s.fileMode = s.dirMode
	}
	if n, ok := body.AsInt64(a.get("max_depth")); ok {
		s.maxDepth = int(n)
	}
	if msg := filemod.CheckUser(s.user, s.group, c.Test); msg != "" {
		return errRet(ret, msg)
	}
	if !filepath.IsAbs(name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	if r, msg := dirReplace(c, a, name, &ret); msg != "" || r {
		if msg != "" {
			return errRet(ret, msg)
		}
	}
	rs, msg := recurseSet(a.get("recurse"))
	if msg != "" {
		return errRet(ret, msg)
	}
	s.recurse = rs
	tresult, tcomment, tchanges := checkDirectory(s)
	ret.Changes = append(ret.Changes, tchanges...)
	if c.Test || len(ret.Changes) == 0 {
		ret.Result, ret.Comment = tresult, tcomment
		return ret
	}
	if !isDir(name) {
		return makeDirectory(s, a.boolean("makedirs", false), ret)
	}
	return applyDirectory(s, a.boolean("children_only", false), ret)
}

// dirReplace handles a file or symlink where the directory should be:
// moved to backupname, removed with force, else an error.
func dirReplace(c *state.Call, a args, name string, ret *state.Ret) (bool, string) {
	link := filemod.IsSymlink(name)
	if !(filemod.IsFile(name) && !link || !a.boolean("allow_symlink", true) && link || a.boolean("force", false) && link) {
		return false, ""
	}
	if bk := a.str("backupname", ""); bk != "" {
		if filemod.Exists(bk) {
			if !a.boolean("force", false) {
				return false, fmt.Sprintf("File exists where the backup target %s should go", bk)
			}
			os.RemoveAll(bk)
		}
		return true, errString(os.Rename(name, bk))
	}
	if !a.boolean("force", false) {
		if link {
			return false, fmt.Sprintf("Specified location %s exists and is a symlink", name)
		}
		return false, fmt.Sprintf("Specified location %s exists and is a file", name)
	}
	kind := "File"
	if link {
		kind = "Symlink"
	}
	if c.Test {
		ret.Changes.Set("forced", kind+" would be forcibly replaced")
		return true, ""
	}
	if err := os.Remove(name); err != nil {
		return false, err.Error()
	}
	ret.Changes.Set("forced", kind+" was forcibly replaced")
	return true, ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// walkEntry is one directory of os.walk: its path, subdirectories and
// files.
type walkEntry struct {
	root        string
	dirs, files []string
}

// depthWalk is _depth_limited_walk: os.walk top-down, symlinks to
// directories listed but not followed, entries in name order.
func depthWalk(top string, maxDepth int) []walkEntry {
	var out []walkEntry
	var walk func(root string)
	walk = func(root string) {
		ents, err := os.ReadDir(root)
		if err != nil {
			return
		}
		e := walkEntry{root: root}
		for _, d := range ents {
			if d.IsDir() || d.Type()&os.ModeSymlink != 0 && isDir(filepath.Join(root, d.Name())) {
				e.dirs = append(e.dirs, d.Name())
			} else {
				e.files = append(e.files, d.Name())
			}
		}
		if maxDepth >= 0 && strings.Count(root, "/")-strings.Count(top, "/") >= maxDepth {
			e.dirs = nil
		}
		out = append(out, e)
		for _, d := range e.dirs {
			if p := filepath.Join(root, d); !filemod.IsSymlink(p) {
				walk(p)
			}
		}
	}
	walk(top)
	return out
}

// metaChanges is _check_dir_meta (and the same test for files): what
// would change on path.
func metaChanges(path, usr, grp, mode string, follow bool) body.Map {
	st, err := filemod.Stat(path, follow)
	if err != nil {
		return body.Map{{Key: "directory", Value: "new"}}
	}
	ch := body.Map{}
	if usr != "" && usr != st.User && usr != fmt.Sprint(st.UID) {
		ch.Set("user", usr)
	}
	if grp != "" && grp != st.Group && grp != fmt.Sprint(st.GID) {
		ch.Set("group", grp)
	}
	if mode != "" && mode != st.Mode && (follow || !filemod.IsSymlink(path)) {
		ch.Set("mode", mode)
	}
	return ch
}

// recursePerms is what recurse manages: user, group and modes, each only
// when named in recurse.
func (s dirSpec) recursePerms() (usr, grp, dirMode, fileMode string) {
	if s.recurse["user"] {
		usr = s.user
	}
	if s.recurse["group"] {
		grp = s.group
	}
	if s.recurse["mode"] {
		dirMode, fileMode = s.dirMode, s.fileMode
	}
	return
}

// checkDirectory is _check_directory: the result, comment and changes
// that test=True reports.
func checkDirectory(s dirSpec) (*bool, string, body.Map) {
	changes := body.Map{}
	if len(s.recurse) > 0 {
		usr, grp, dirMode, fileMode := s.recursePerms()
		for _, e := range depthWalk(s.name, s.maxDepth) {
			if !s.recurse["ignore_files"] {
				for _, f := range e.files {
					p := filepath.Join(e.root, f)
					ch := metaChanges(p, usr, grp, fileMode, s.follow)
					if len(ch) > 0 && !ch.Has("directory") {
						changes.Set(p, ch)
					}
				}
			}
			if !s.recurse["ignore_dirs"] {
				for _, d := range e.dirs {
					p := filepath.Join(e.root, d)
					if ch := metaChanges(p, usr, grp, dirMode, s.follow); len(ch) > 0 {
						changes.Set(p, ch)
					}
				}
			}
		}
	}
	if ch := metaChanges(s.name, s.user, s.group, s.dirMode, s.follow); len(ch) > 0 {
		changes.Set(s.name, ch)
	}
	if !isDir(s.name) {
		changes.Set(s.name, body.Map{{Key: "directory", Value: "new"}})
	}
	if len(changes) == 0 {
		return &yes, fmt.Sprintf("The directory %s is in the correct state", s.name), changes
	}
	var sb strings.Builder
	sb.WriteString("The following files will be changed:\n")
	for _, it := range changes {
		for _, kv := range it.Value.(body.Map) {
			fmt.Fprintf(&sb, "%s: %s - %s\n", it.Key, kv.Key, pyStr(kv.Value))
		}
	}
	return nil, sb.String(), changes
}

// makeDirectory creates the missing directory (and its parents with
// makedirs) with its owner, group and mode.
func makeDirectory(s dirSpec, parents bool, ret state.Ret) state.Ret {
	want := filemod.Perms{User: s.user, Group: s.group, Mode: s.dirMode}
	if !isDir(filepath.Dir(s.name)) {
		if !parents {
			return errRet(ret, fmt.Sprintf("No directory to create %s in", s.name))
		}
	}
	if err := filemod.Makedirs(s.name+"/", want); err != nil || !isDir(s.name) {
		return errRet(ret, fmt.Sprintf("Failed to create directory %s", s.name))
	}
	ret.Changes.Set(s.name, body.Map{{Key: "directory", Value: "new"}})
	return ret
}

// applyDirectory sets the directory's own perms (unless children_only)
// and, with recurse, those of what it holds, as check_perms records them.
func applyDirectory(s dirSpec, childrenOnly bool, ret state.Ret) state.Ret {
	var fails []string
	ok := true
	if !childrenOnly {
		good, f, _ := filemod.CheckPerms(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: s.dirMode}, &ret.Changes, false, s.follow)
		ok, fails = good, append(fails, f...)
	}
	if len(s.recurse) > 0 {
		usr, grp, dirMode, fileMode := s.recursePerms()
		if s.recurse["silent"] {
			ret.Changes = body.Map{{Key: "recursion", Value: "Changes silenced"}}
		}
		for _, e := range depthWalk(s.name, s.maxDepth) {
			if !s.recurse["ignore_files"] {
				for _, f := range e.files {
					good, fl, _ := filemod.CheckPerms(filepath.Join(e.root, f), filemod.Perms{User: usr, Group: grp, Mode: fileMode}, &ret.Changes, false, s.follow)
					ok, fails = ok && good, append(fails, fl...)
				}
			}
			if !s.recurse["ignore_dirs"] {
				for _, d := range e.dirs {
					good, fl, _ := filemod.CheckPerms(filepath.Join(e.root, d), filemod.Perms{User: usr, Group: grp, Mode: dirMode}, &ret.Changes, false, s.follow)
					ok, fails = ok && good, append(fails, fl...)
				}
			}
		}
	}
	ret.Result, ret.Comment = boolp(ok), strings.Join(fails, "; ")
	switch {
	case ret.Comment == "" && childrenOnly:
		ret.Comment = fmt.Sprintf("Directory %s/* updated", s.name)
	case ret.Comment == "" && len(ret.Changes) > 0:
		ret.Comment = fmt.Sprintf("Directory %s updated", s.name)
	case len(ret.Changes) == 0 && ok:
		ret.Comment = fmt.Sprintf("Directory %s is in the correct state", s.name)
	}
	return ret
}

package states

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.recurse (salt/states/file.py recurse): a directory of the file
// server copied under name, each file through file.managed and each
// directory through file.directory, their returns merged.

// recurseRet gathers the returns of the files and directories managed.
type recurseRet struct {
	ret      state.Ret
	comments body.Map // path → []string
}

// merge is recurse's merge_ret.
func (r *recurseRet) merge(p string, sub state.Ret) {
	if sub.Result != nil && !*sub.Result || r.ret.Result != nil && *r.ret.Result {
		r.ret.Result = sub.Result
	}
	if (sub.Result == nil || !*sub.Result) && sub.Comment != "" {
		v, _ := r.comments.Get(p)
		list, _ := v.([]string)
		r.comments.Set(p, append(list, sub.Comment))
	}
	if len(sub.Changes) > 0 {
		r.ret.Changes.Set(p, sub.Changes)
	}
}

func fileRecurse(ctx context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	if a.has("mode") {
		return errRet(ret, "'mode' is not allowed in 'file.recurse'. Please use 'file_mode' and 'dir_mode'.")
	}
	if a.boolean("clean", false) || a.boolean("keep_symlinks", false) {
		return errRet(ret, "file.recurse clean and keep_symlinks are not supported by this minion")
	}
	usr, grp := a.str("user", ""), a.str("group", "")
	if msg := filemod.CheckUser(usr, grp, c.Test); msg != "" {
		return errRet(ret, msg)
	}
	if !filepath.IsAbs(name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", name))
	}
	srcs, _ := strParts(a.get("source"))
	for i, s := range srcs {
		srcs[i] = strings.TrimRight(s, "/")
		if !strings.HasPrefix(srcs[i], "salt://") {
			return errRet(ret, fmt.Sprintf("Invalid source '%s' (must be a salt:// URI)", srcs[i]))
		}
	}
	if len(srcs) == 0 || c.Env.Files == nil {
		return errRet(ret, "Recurse failed: none of the specified sources were found")
	}
	saltenv := saltenvOf(c)
	srcpath := strings.TrimPrefix(srcs[0], "salt://")
	// The master strips the prefix's slashes, so "tree/" lists
	// "tree2" too; the checks below keep what is under srcpath.
	dirs, err := c.Env.Files.ListMasterDirs(ctx, saltenv, srcpath)
	if err == nil && !slices.Contains(dirs, srcpath) {
		if files, _ := c.Env.Files.ListMaster(ctx, saltenv, srcpath); !slices.Contains(files, srcpath) {
			return errRet(ret, "Recurse failed: none of the specified sources were found")
		}
	}
	if err != nil || !slices.Contains(dirs, srcpath) {
		return errRet(ret, fmt.Sprintf("The directory '%s' does not exist on the salt fileserver in saltenv '%s'", srcpath, saltenv))
	}
	if !isDir(name) {
		if filemod.Exists(name) {
			return errRet(ret, fmt.Sprintf("The path %s exists and is not a directory", name))
		}
		if !c.Test {
			if err := filemod.Makedirs(name+"/", filemod.Perms{User: usr, Group: grp, Mode: filemod.ModeArg(a.get("dir_mode"))}); err != nil {
				return errRet(ret, err.Error())
			}
		}
	}
	files, mdirs, err := recurseFiles(ctx, c, a, name, srcpath, saltenv)
	if err != nil {
		return errRet(ret, fmt.Sprintf("Recurse failed: %v", err))
	}
	r := &recurseRet{ret: ret, comments: body.Map{}}
	for _, d := range mdirs {
		dargs := body.Map{{Key: "user", Value: a.get("user")}, {Key: "group", Value: a.get("group")},
			{Key: "dir_mode", Value: a.get("dir_mode")}, {Key: "makedirs", Value: true}}
		r.merge(d, fileDirectory(ctx, subCall(c, "directory", d, dargs)))
	}
	for _, f := range files {
		r.merge(f[0], fileManaged(ctx, subCall(c, "managed", f[0], recurseManagedArgs(a, f[1]))))
	}
	return r.finish(name)
}

// subCall is a call of another file state for one path.
func subCall(c *state.Call, fun, name string, args body.Map) *state.Call {
	low := &state.Low{State: "file", Fun: fun, ID: c.Low.ID, Name: name, SLS: c.Low.SLS, Env: c.Low.Env, Args: args}
	return &state.Call{Low: low, Test: c.Test, Env: c.Env}
}

// recurseManagedArgs are file.managed's arguments for one file.
func recurseManagedArgs(a args, src string) body.Map {
	m := body.Map{{Key: "source", Value: src}, {Key: "makedirs", Value: true}}
	mode := a.get("file_mode")
	for _, k := range []string{"user", "group", "template", "context", "defaults", "backup", "replace"} {
		if v, ok := a.m.Get(k); ok {
			m.Set(k, v)
		}
	}
	m.Set("mode", mode)
	return m
}

// finish is the end of recurse: the comments by path, or Salt's
// summaries.
func (r *recurseRet) finish(name string) state.Ret {
	var parts []string
	for _, it := range r.comments {
		parts = append(parts, fmt.Sprintf("\n#### %s ####\n%s", it.Key, strings.Join(it.Value.([]string), "\n")))
	}
	r.ret.Comment = strings.TrimSpace(strings.Join(parts, "\n"))
	if r.ret.Comment == "" {
		r.ret.Comment = "Recursively updated " + name
	}
	if len(r.ret.Changes) == 0 && r.ret.Result != nil && *r.ret.Result {
		r.ret.Comment = fmt.Sprintf("The directory %s is in the correct state", name)
	}
	return r.ret
}

// recurseFiles is _gen_recurse_managed_files: the (dest, salt:// source)
// pairs and the directories to manage, sorted.
func recurseFiles(ctx context.Context, c *state.Call, a args, name, srcpath, saltenv string) ([][2]string, []string, error) {
	prefix := srcpath + "/"
	fns, err := c.Env.Files.ListMaster(ctx, saltenv, prefix)
	if err != nil {
		return nil, nil, err
	}
	maxDepth := -1
	if n, ok := toInt(a.get("maxdepth")); ok {
		maxDepth = n
	}
	inc, exc := a.str("include_pat", ""), a.str("exclude_pat", "")
	var files [][2]string
	dirSet := map[string]bool{}
	for _, fn := range fns {
		rel, under := strings.CutPrefix(fn, prefix)
		if !under || strings.TrimSpace(fn) == "" || !validRelpath(rel, maxDepth) || !includeExclude(rel, inc, exc) {
			continue
		}
		dest := filepath.Join(name, filepath.FromSlash(rel))
		dirSet[filepath.Dir(dest)] = true
		src := "salt://" + fn
		if saltenv != c.Env.Saltenv && saltenv != "base" {
			src += "?saltenv=" + saltenv
		}
		files = append(files, [2]string{dest, src})
	}
	if a.boolean("include_empty", false) {
		mdirs, err := c.Env.Files.ListMasterDirs(ctx, saltenv, prefix)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range mdirs {
			rel, under := strings.CutPrefix(d, prefix)
			if !under || !validRelpath(rel, maxDepth) || !includeExclude(rel, inc, exc) {
				continue
			}
			dirSet[filepath.Join(name, filepath.FromSlash(rel))] = true
		}
	}
	slices.SortFunc(files, func(x, y [2]string) int { return strings.Compare(x[0], y[0]) })
	dirs := make([]string, 0, len(dirSet))
	for d := range dirSet {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	return files, dirs, nil
}

// validRelpath is _is_valid_relpath: no "..", within maxdepth.
func validRelpath(rel string, maxDepth int) bool {
	rel = path.Clean(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	return maxDepth < 0 || strings.Count(rel, "/") <= maxDepth
}

// includeExclude is salt.utils.stringutils.check_include_exclude: globs,
// or regexes written "E@...".
func includeExclude(p, inc, exc string) bool {
	match := func(pat string) bool {
		if re, ok := strings.CutPrefix(pat, "E@"); ok {
			r, err := py.CompileFlags(re, 0)
			return err == nil && r.MatchString(p)
		}
		return py.Fnmatch(p, pat)
	}
	switch {
	case inc == "" && exc == "":
		return true
	case inc != "" && exc == "":
		return match(inc)
	case inc == "" && exc != "":
		return !match(exc)
	}
	return match(inc) && !match(exc)
}

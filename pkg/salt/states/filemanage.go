package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// fileContent is what file.managed puts in the file: nil when it manages
// no content (no source, no contents).
type fileContent struct {
	data   []byte
	source string // the source used; "" for contents
	mode   string // the source's mode, for mode: keep
}

// managedContent gathers the new content: contents as given, or the
// source fetched (the first of a list that exists) and templated. A
// non-empty message is the error to fail with.
func managedContent(ctx context.Context, c *state.Call, s managedSpec) (*fileContent, string) {
	if s.contents != nil {
		return &fileContent{data: []byte(*s.contents)}, ""
	}
	if !truthy(s.source) {
		return nil, ""
	}
	src, local, msg := sourceList(ctx, c, s)
	if msg != "" {
		return nil, msg
	}
	if local == "" {
		if strings.HasPrefix(src, "salt://") {
			return nil, fmt.Sprintf("Source file %s not found in saltenv '%s'", src, s.saltenv)
		}
		return nil, fmt.Sprintf("Local file source %s does not exist", src)
	}
	data, err := os.ReadFile(local)
	if err != nil {
		return nil, fmt.Sprintf("Unable to manage file: %v", err)
	}
	fc := &fileContent{data: data, source: src}
	if st, err := os.Stat(local); err == nil && s.keepMode {
		fc.mode = filemod.NormalizeMode(fmt.Sprintf("%o", filemod.UnixMode(st.Mode())))
	}
	if s.template != "" {
		out, err := renderTemplate(c, s, src, data)
		if err != nil {
			return nil, fmt.Sprintf("Unable to manage file: %v", err)
		}
		fc.data = []byte(out)
	}
	return fc, ""
}

// sourceList is file.source_list then the fetch: the source (the first
// found of a list) and its local copy ("" when not found).
func sourceList(ctx context.Context, c *state.Call, s managedSpec) (src, local, msg string) {
	var candidates []string
	switch v := s.source.(type) {
	case string:
		candidates = []string{v}
	case []any:
		for _, x := range v {
			if m, ok := x.(body.Map); ok && len(m) > 0 {
				candidates = append(candidates, m[0].Key)
			} else {
				candidates = append(candidates, pyStr(x))
			}
		}
	default:
		candidates = []string{pyStr(v)}
	}
	for _, cand := range candidates {
		local, err := fetchSource(ctx, c, cand, s.saltenv)
		if err != nil {
			return cand, "", fmt.Sprintf("Unable to manage file: %v", err)
		}
		if local != "" || len(candidates) == 1 {
			return cand, local, ""
		}
	}
	return "", "", "Unable to manage file: none of the specified sources were found"
}

// fetchSource is cp.cache_file for salt:// and the path itself for local
// files; "" when the source does not exist.
func fetchSource(ctx context.Context, c *state.Call, src, saltenv string) (string, error) {
	switch {
	case strings.HasPrefix(src, "salt://"):
		if c.Env.Files == nil {
			return "", fmt.Errorf("no file client to fetch %s", src)
		}
		return c.Env.Files.CacheFile(ctx, src, saltenv)
	case strings.HasPrefix(src, "file://"):
		src = strings.TrimPrefix(src, "file://")
	case strings.Contains(src, "://"):
		return "", fmt.Errorf("Unable to verify upstream hash of source file %s, please set source_hash or set skip_verify to True", src)
	}
	if !filemod.Exists(src) {
		return "", nil
	}
	return src, nil
}

// managedTest is file.managed under test=True: check_managed_changes.
func managedTest(s managedSpec, ret state.Ret, fc *fileContent) state.Ret {
	ch := body.Map{}
	if _, err := os.Lstat(s.name); err != nil {
		ch.Set("newfile", s.name)
	} else {
		if fc != nil {
			d, err := filemod.TextDiff(s.name, fc.data)
			if err != nil {
				d = err.Error()
			}
			if d != "" {
				ch.Set("diff", d)
			}
		}
		cur, _ := filemod.Stat(s.name, s.follow)
		if s.user != "" && s.user != cur.User && s.user != fmt.Sprint(cur.UID) {
			ch.Set("user", s.user)
		}
		if s.group != "" && s.group != cur.Group && s.group != fmt.Sprint(cur.GID) {
			ch.Set("group", s.group)
		}
		if mode := keptMode(s, fc); mode != "" && mode != cur.Mode {
			ch.Set("mode", mode)
		}
	}
	if len(ch) == 0 {
		ret.Result, ret.Comment = &yes, fmt.Sprintf("The file %s is in the correct state", s.name)
		return ret
	}
	ret.Result, ret.Changes = nil, ch
	ret.Comment = fmt.Sprintf("The file %s is set to be changed", s.name) + testNote
	if ch.Has("diff") && !s.showChanges {
		ch.Set("diff", "<show_changes=False>")
	}
	return ret
}

// keptMode is the mode to set: the source's under mode: keep.
func keptMode(s managedSpec, fc *fileContent) string {
	if s.keepMode && fc != nil {
		return fc.mode
	}
	return s.mode
}

// managedPermsOnly is replace: False on an existing file: only the owner,
// group and mode are managed.
func managedPermsOnly(c *state.Call, s managedSpec, ret state.Ret) state.Ret {
	ok, fails, lmode := filemod.CheckPerms(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: s.mode}, &ret.Changes, c.Test, s.follow)
	ret.Result, ret.Comment = boolp(ok), strings.Join(fails, "; ")
	switch {
	case c.Test && s.mode != "" && s.mode != lmode:
		ret.Comment = fmt.Sprintf("File %s will be updated with permissions %s from its current state of %s", s.name, s.mode, lmode)
	case c.Test:
		ret.Comment = fmt.Sprintf("File %s not updated", s.name)
	case len(ret.Changes) == 0 && ok:
		ret.Comment = fmt.Sprintf("File %s exists with proper permissions. No changes made.", s.name)
	}
	if c.Test && len(ret.Changes) > 0 {
		ret.Result = nil
	}
	return ret
}

// manageFile is file.manage_file: the content put in place (with its diff
// in changes), then the owner, group and mode.
func manageFile(c *state.Call, s managedSpec, ret state.Ret, fc *fileContent) state.Ret {
	cachedir, _ := c.Env.Opts["cachedir"].(string)
	if filemod.IsFile(s.name) || filemod.IsSymlink(s.name) {
		return manageExisting(s, ret, fc, cachedir)
	}
	if !isDir(filepath.Dir(s.name)) {
		if !s.makedirs {
			return errRet(ret, "Parent directory not present")
		}
		dirMode := s.dirMode
		if dirMode == "" {
			dirMode = filemod.DirModeFor(s.mode)
		}
		if err := filemod.Makedirs(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: dirMode}); err != nil {
			return errRet(ret, fmt.Sprintf("Failed to commit change: %v", err))
		}
	}
	switch {
	case fc != nil && fc.source != "":
		ret.Changes.Set("diff", "New file")
		if err := filemod.WriteFile(s.name, fc.data, s.backup, cachedir); err != nil {
			return errRet(ret, fmt.Sprintf("Failed to commit change: %v", err))
		}
	case fc != nil:
		if err := touchNew(s.name, s.mode); err != nil {
			return errRet(ret, fmt.Sprintf("File %s not created", s.name))
		}
		ret.Changes.Set("diff", "New file")
		if err := filemod.WriteFile(s.name, fc.data, s.backup, cachedir); err != nil {
			return errRet(ret, fmt.Sprintf("Failed to commit change: %v", err))
		}
	default:
		if err := touchNew(s.name, s.mode); err != nil {
			return errRet(ret, fmt.Sprintf("Empty file %s not created", s.name))
		}
		ret.Changes.Set("new", fmt.Sprintf("file %s created", s.name))
		ret.Comment = "Empty file"
	}
	mode := keptMode(s, fc)
	if mode == "" {
		mode = filemod.UmaskMode()
	}
	ok, fails, _ := filemod.CheckPerms(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: mode}, &ret.Changes, false, s.follow)
	ret.Result = boolp(ok)
	if len(fails) > 0 {
		ret.Comment = strings.Join(append(nonEmpty(ret.Comment), fails...), "; ")
	}
	if ret.Comment == "" {
		ret.Comment = "File " + s.name + " updated"
	} else if len(ret.Changes) == 0 && ok {
		ret.Comment = "File " + s.name + " is in the correct state"
	}
	return ret
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// touchNew creates an empty file, user read-write only when a mode will
// be set (Salt's set_umask(0o077 if mode else None)).
func touchNew(name, mode string) error {
	perm := os.FileMode(0o666)
	if mode != "" {
		perm = 0o600
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	return f.Close()
}

// manageExisting is manage_file on a file that exists.
func manageExisting(s managedSpec, ret state.Ret, fc *fileContent, cachedir string) state.Ret {
	link := filemod.IsSymlink(s.name)
	real := s.name
	if link && s.follow {
		if r, err := filepath.EvalSymlinks(s.name); err == nil {
			real = r
		}
	}
	if fc != nil {
		d, err := filemod.TextDiff(real, fc.data)
		if err != nil {
			d = err.Error()
		}
		if d != "" {
			if !s.showChanges {
				d = "<show_changes=False>"
			}
			ret.Changes.Set("diff", d)
			if err := filemod.WriteFile(real, fc.data, s.backup, cachedir); err != nil {
				return errRet(ret, fmt.Sprintf("Failed to commit change: %v", err))
			}
		}
	}
	if link && !s.follow && fc != nil {
		if err := filemod.WriteFile(s.name, fc.data, s.backup, cachedir); err != nil {
			return errRet(ret, fmt.Sprintf("Failed to commit change: %v", err))
		}
		ret.Changes.Set("diff", "Replace symbolic link with regular file")
	}
	ok, fails, _ := filemod.CheckPerms(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: keptMode(s, fc)}, &ret.Changes, false, s.follow)
	ret.Result, ret.Comment = boolp(ok), strings.Join(fails, "; ")
	if len(ret.Changes) > 0 {
		ret.Comment = "File " + s.name + " updated"
	} else if ok {
		ret.Comment = "File " + s.name + " is in the correct state"
	}
	return ret
}
